from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "beacon.interchange"
    label = "interchange"
    verbose_name = "Interchange formats (PFIF, HTCDS, NCIC, NIBRS)"

    def ready(self) -> None:
        from beacon.interchange.demo import add_demo_interchange
        from beacon.operations.demo.loader import add_to_demo

        add_to_demo(add_demo_interchange)
