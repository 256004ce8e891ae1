"""Template filters of the web pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from beacon.web.plotly import guarded_style_ids

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``row|get_item:"arrests"`` — a dict value by a key held in a variable."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def num(value: Any) -> str:
    """A number in the active language's format, with thousands grouped (1,883 / 1 883)."""
    if value is None or value == "":
        return "0"
    if isinstance(value, float | Decimal) and value == int(value):
        value = int(value)
    return str(formats.number_format(value, use_l10n=True, force_grouping=True))


@register.simple_tag
def plotly_style_guards() -> SafeString:
    """Empty elements holding the ids of the stylesheets plotly.js would inject inline."""
    return format_html_join(
        "", '<template id="{}"></template>', ((i,) for i in guarded_style_ids())
    )
