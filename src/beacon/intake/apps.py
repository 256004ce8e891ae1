from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "beacon.intake"
    label = "intake"
    verbose_name = "Intake reconciliation"
