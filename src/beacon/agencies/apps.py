from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "beacon.agencies"
    label = "agencies"
    verbose_name = "Agencies and jurisdictions"
