from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tropa.core"
    label = "core"

    def ready(self) -> None:
        from tropa.core import wiring

        wiring.connect()
