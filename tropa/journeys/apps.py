from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "tropa.journeys"
    label = "journeys"

    def ready(self) -> None:
        from tropa.journeys import wiring

        wiring.connect()
