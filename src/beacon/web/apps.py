from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "beacon.web"
    label = "web"
    verbose_name = "Web pages"
