"""The operation bundle: one JSON document holding a whole operation (docs/bundle.md)."""

FORMAT = "beacon.operation-bundle"
VERSION = 2
VERSIONS = (1, 2)  # version 1 bundles are still read
