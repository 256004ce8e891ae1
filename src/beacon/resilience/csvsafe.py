"""Moved to ``beacon.core.csvsafe`` (the audit chain below resilience needs it, #19).

Kept only while branches written before the move land; import ``beacon.core.csvsafe``.
"""

from beacon.core.csvsafe import FORMULA_TRIGGERS, neutralise, neutralise_row, neutralise_text

__all__ = ["FORMULA_TRIGGERS", "neutralise", "neutralise_row", "neutralise_text"]
