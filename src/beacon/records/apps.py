from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "beacon.records"
    label = "records"
    verbose_name = "Missing-person registry"
