"""Resilience: idempotent writes, database-outage handling, backups, CSV-safe exports."""
