"""The four seed operations, in load order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from beacon.operations.demo import protected_childhood, reclaim_and_rebuild, rescue_me, united_front

SEEDS: dict[str, Callable[[], dict[str, Any]]] = {
    "rescue-me": rescue_me.build,
    "protected-childhood-8": protected_childhood.build,
    "united-front": united_front.build,
    "reclaim-and-rebuild": reclaim_and_rebuild.build,
}
SEED_CODES = {
    "rescue-me": rescue_me.CODE,
    "protected-childhood-8": protected_childhood.CODE,
    "united-front": united_front.CODE,
    "reclaim-and-rebuild": reclaim_and_rebuild.CODE,
}
