from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "beacon.audit"
    label = "audit"
    verbose_name = "Audit trail"
