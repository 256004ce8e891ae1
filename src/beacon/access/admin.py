"""Accounts in Django's admin: read-only views; changes go through the audited services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from beacon.access.models import ApiToken, Membership


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "agency", "role", "last_activity_at", "locked_at", "disabled_at")
    list_filter = ("role",)
    search_fields = ("user__username", "agency__ori", "agency__name")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "owner", "agency", "role", "expires_at", "revoked_at")
    exclude = ("digest",)
