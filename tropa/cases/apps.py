from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"

    def ready(self) -> None:
        from tropa.cases import wiring

        wiring.connect()
