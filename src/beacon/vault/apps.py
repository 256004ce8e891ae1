from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "beacon.vault"
    label = "vault"
    verbose_name = "Encryption keys"

    def ready(self) -> None:
        from django.conf import settings

        from beacon.vault import sealing

        if getattr(settings, "BEACON_SEAL_FREE_TEXT", False):
            sealing.connect()
