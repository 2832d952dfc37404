from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tropa.accounts"
    label = "accounts"
