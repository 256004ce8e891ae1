"""The audit in Django's admin: read-only, searchable; no one adds, edits or deletes."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from beacon.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("seq", "at", "actor", "agency_ori", "role", "action", "object_id", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor", "action", "object_id", "agency_ori")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
