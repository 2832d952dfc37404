from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "tropa.channels"
    label = "channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tropa.cases import hooks
        from tropa.channels import delivery, notifier
        from tropa.core.watch import JOBS
        from tropa.journeys.notifiers import NOTIFIERS

        hooks.AFTER_REPLY.append(delivery.deliver_reply)
        hooks.AFTER_MERGE.append(delivery.follow_merge)
        hooks.CHECKIN_KEYS.append(delivery.checkin_keys)
        hooks.DELIVERY.append(delivery.describe_deliveries)
        NOTIFIERS["telegram"] = notifier.TelegramNotifier()
        JOBS.append(delivery.forget_old_updates)
