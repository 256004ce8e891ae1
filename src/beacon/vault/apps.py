from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "beacon.vault"
    label = "vault"
    verbose_name = "Encryption keys"
