from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultantsConfig(AppConfig):
    name = "consultants"
    verbose_name = _("Consultants")

    def ready(self):
        # record_sections: her record's own sections (profile, consent,
        # availability, the access log about her); higher apps add theirs.
        from accounts.access import register_managed_elsewhere
        from consultants import models, record_sections  # noqa: F401
        from core import audit

        # A consultant's portal account opened under People leads here.
        register_managed_elsewhere(_consultant_page)

        # Change history of every model, encrypted fields masked by
        # core.audit. Free text that can identify a person is masked too:
        # audit entries are append-only, so they could never be erased.
        audit.register(
            models.Consultant,
            mask_fields=["occupation_constraints", "public_bio"],
            m2m_fields={"expertise"},
        )
        for model in (
            models.ExpertiseTopic,
            models.StatusChange,
            models.WeeklyAvailability,
            models.BusyPeriod,
            models.ConsentText,
            models.ConsentTextTranslation,
            models.ConsentRecord,
            models.WellbeingNote,
        ):
            audit.register(model)


def _consultant_page(account, viewer) -> str | None:
    """Her page under Consultants, for a viewer who may see it."""
    from django.urls import reverse

    from consultants.access import consultants_visible_to

    pk = consultants_visible_to(viewer).filter(user=account).values_list("pk", flat=True).first()
    return reverse("consultants:detail", args=[pk]) if pk is not None else None
