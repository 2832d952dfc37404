from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"

    def ready(self) -> None:
        from tropa.cases.actions import shred_discarded
        from tropa.core import watch

        if shred_discarded not in watch.JOBS:
            watch.JOBS.append(shred_discarded)
