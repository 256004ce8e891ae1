"""Admin for the registry's code table (name variants). Records themselves are not in the
admin: personal data is read and changed only through the services (policy, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from beacon.records import variants
from beacon.records.models import NameVariant


@admin.register(NameVariant)
class NameVariantAdmin(admin.ModelAdmin[NameVariant]):
    list_display = ("variant", "canonical")
    search_fields = ("variant", "canonical")
    ordering = ("canonical", "variant")

    def save_model(self, request: HttpRequest, obj: NameVariant, form: Any, change: bool) -> None:
        obj.variant, obj.canonical = obj.variant.upper().strip(), obj.canonical.upper().strip()
        super().save_model(request, obj, form, change)
        variants.forget()  # new searches use the change; run `beacon records reindex` for records

    def delete_model(self, request: HttpRequest, obj: NameVariant) -> None:
        super().delete_model(request, obj)
        variants.forget()
