from django.contrib import admin

from beacon.agencies.models import Agency, Jurisdiction


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("ori", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("ori", "name", "short_name")


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin[Jurisdiction]):
    list_display = ("kind", "code", "abbreviation", "name_en", "name_fr")
    list_filter = ("kind",)
    search_fields = ("code", "name_en", "name_fr")
