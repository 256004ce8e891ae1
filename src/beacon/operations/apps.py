from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "beacon.operations"
    label = "operations"
    verbose_name = "Operations"
