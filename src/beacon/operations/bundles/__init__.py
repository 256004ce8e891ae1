"""The operation bundle: one JSON document holding a whole operation (docs/bundle.md)."""

FORMAT = "beacon.operation-bundle"
VERSION = 1
