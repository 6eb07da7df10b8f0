from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = _("Engagements")

    def ready(self):
        from consultants.selectors import register_monthly_load
        from core import audit
        from engagements import models, record, selectors  # noqa: F401  (record: her record's section)

        # The consultants directory's "this month's load" (consultants may
        # not import this app; it asks through this hook).
        register_monthly_load(selectors.consultant_monthly_load)

        # Change history of every model, encrypted fields masked by
        # core.audit. Free text that may say something about a person is
        # masked too: audit entries are append-only and never erased.
        audit.register(models.Engagement, m2m_fields={"expertise", "assigned_staff"})
        audit.register(
            models.PrivacyPlan, mask_fields=["identity_known_to", "face_and_voice_protection"]
        )
        audit.register(models.Participation, exclude_fields=["period"])
        audit.register(models.Feedback, mask_fields=["comments"])
        for model in (
            models.EngagementTransition,
            models.ParticipationChange,
            models.Debrief,
        ):
            audit.register(model)
