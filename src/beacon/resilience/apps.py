from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "beacon.resilience"
    label = "resilience"
    verbose_name = "Resilience"
