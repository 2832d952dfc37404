from django.apps import AppConfig


class KeyringConfig(AppConfig):
    name = "tropa.keyring"
    label = "keyring"
