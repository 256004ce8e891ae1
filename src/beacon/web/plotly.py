"""What the CSP needs to know about the installed plotly.js bundle.

plotly.js writes its own rules into an empty ``<style>`` element through the CSSOM (the
CSP allows exactly the empty inline style, by its hash, and the CSSOM is not subject to
it). The bundle also carries MapLibre's stylesheet, which it injects as inline text unless
an element with its id is already in the page: Beacon draws no tile maps, so the pages
place an empty element under that id and the stylesheet is never injected.
"""

from __future__ import annotations

import re
from functools import cache

from beacon.web.finders import vendor_roots

_GUARDED_STYLE = re.compile(
    rb'getElementById\("([0-9a-f]{16,64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def guarded_style_ids() -> tuple[str, ...]:
    """Ids of the inline stylesheets plotly.js skips when the id is already taken."""
    root = vendor_roots().get("vendor/plotly")
    if root is None:
        return ()
    bundle = (root / "plotly.min.js").read_bytes()
    return tuple(dict.fromkeys(m.decode() for m in _GUARDED_STYLE.findall(bundle)))
