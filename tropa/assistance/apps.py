from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "tropa.assistance"
    label = "assistance"

    def ready(self) -> None:
        from tropa.assistance import wiring

        wiring.connect()
