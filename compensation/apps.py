from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("Compensation")

    def ready(self):
        import compensation.reminders  # noqa: F401  (registers the reminder kinds)
        from compensation import models, panels, receivers, record, statement  # noqa: F401
        from core import audit
        from engagements.panels import register_detail_panel, register_invitation_panel

        # What it pays, on her invitation, before she answers.
        register_invitation_panel(
            "compensation.pay",
            order=10,
            context=panels.invitation_pay,
            template=panels.TEMPLATE,
        )
        # Its consultants' agreements, on the staff page of an engagement.
        register_detail_panel(
            "compensation.agreements",
            order=20,
            context=panels.engagement_agreements,
            template=panels.AGREEMENTS_TEMPLATE,
        )

        # Change history of every model; encrypted fields (account name and
        # number) are masked by core.audit. Free text a person wrote about
        # a cost or a correction may say something about them: masked too.
        audit.register(models.RateCard)
        audit.register(models.AllowancePolicy)
        audit.register(models.Agreement, mask_fields=["change_note"])
        audit.register(models.AgreementAllowance)
        audit.register(models.TimeEntry, mask_fields=["note", "rejection_reason"])
        audit.register(models.ExpenseClaim, mask_fields=["description", "rejection_reason"])
        audit.register(models.Receipt)
        audit.register(models.PaymentMethod)
        audit.register(models.Payment)
        audit.register(models.PaymentLine, mask_fields=["reason"])

        receivers.connect()
