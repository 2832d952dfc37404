from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tropa.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tropa.accounts import wiring

        wiring.connect()
