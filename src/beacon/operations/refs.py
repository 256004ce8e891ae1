"""Stable references: every imported or exported row carries one (see docs/bundle.md)."""

from __future__ import annotations

import uuid


def new_ref() -> str:
    return uuid.uuid4().hex[:16]
