from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beacon.core"
    label = "core"
    verbose_name = "Beacon core"

    def ready(self) -> None:
        from beacon.core import db  # noqa: F401  (connects the SQLite durability check)
