"""Beacon: multi-agency missing-child recovery and anti-trafficking operations."""

__version__ = "0.1.0"
