from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tropa.notify"
    label = "notify"

    def ready(self) -> None:
        from tropa.notify import wiring

        wiring.connect()
