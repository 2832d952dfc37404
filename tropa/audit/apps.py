from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tropa.audit"
    label = "audit"

    def ready(self) -> None:
        from tropa.audit import wiring

        wiring.connect()
