from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "beacon.interchange"
    label = "interchange"
    verbose_name = "Interchange formats (PFIF, HTCDS, NCIC, NIBRS)"
