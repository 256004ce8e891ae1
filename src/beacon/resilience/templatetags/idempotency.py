"""``{% idempotency_field %}`` in an HTML form: a resubmitted form changes nothing twice."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from beacon.resilience.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4())
