from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from engagements.signals import (
            engagement_dates_changed,
            engagement_transitioned,
            participation_status_changed,
        )
        from reminders import (
            backups,  # noqa: F401  (registers "backups not made", for administrators)
            invitations,  # registers "invitation made"
            kinds,  # noqa: F401  (registers the core kinds)
            receivers,
            record,  # noqa: F401  (her record's section)
        )

        engagement_dates_changed.connect(
            receivers.on_dates_changed, dispatch_uid="reminders.dates_changed"
        )
        engagement_transitioned.connect(
            receivers.on_transitioned, dispatch_uid="reminders.transitioned"
        )
        participation_status_changed.connect(
            invitations.on_participation_status_changed,
            dispatch_uid="reminders.invitation_made",
        )
