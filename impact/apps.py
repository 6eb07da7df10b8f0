from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("Impact")

    def ready(self):
        import impact.reminders  # noqa: F401  (registers the reminder kinds)
        from core import audit
        from engagements.panels import register_detail_panel
        from impact import models, panels, record  # noqa: F401  (record: her contributions)

        register_detail_panel(
            "impact.contributions",
            order=20,
            context=panels.engagement_impact,
            template=panels.TEMPLATE,
        )
        # Change history: who recorded or changed what, when.
        audit.register(
            models.Contribution, m2m_fields={"consultants"}, exclude_fields=["updated_at"]
        )
        audit.register(models.Outcome)
        audit.register(models.FeedbackRequest, exclude_fields=["token_hash"])
        audit.register(models.PartnerFeedback)
        audit.register(models.Work, m2m_fields={"engagements"})
        audit.register(models.WorkCredit, exclude_fields=["updated_at"])
