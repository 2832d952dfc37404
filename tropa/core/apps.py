from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tropa.core"
    label = "core"
