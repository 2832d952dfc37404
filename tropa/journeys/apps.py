from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "tropa.journeys"
    label = "journeys"

    def ready(self) -> None:
        from tropa.core import watch
        from tropa.journeys.escalation import deliver_outbox, escalate_alerts, raise_missed_checkins

        for job in (raise_missed_checkins, escalate_alerts, deliver_outbox):
            if job not in watch.JOBS:
                watch.JOBS.append(job)
