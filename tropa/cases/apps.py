from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"
