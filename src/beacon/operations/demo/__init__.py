"""The four seed operations as deterministic, obviously synthetic bundles."""
