from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tropa.reports"
    label = "reports"

    def ready(self) -> None:
        from tropa.reports import wiring

        wiring.connect()
