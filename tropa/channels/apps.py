from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "tropa.channels"
    label = "channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tropa.channels import wiring

        wiring.connect()
