from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tropa.cases"
    label = "cases"

    def ready(self) -> None:
        from tropa.cases.actions import notify_due_tasks, shred_discarded
        from tropa.core import watch

        for job in (shred_discarded, notify_due_tasks):
            if job not in watch.JOBS:
                watch.JOBS.append(job)
