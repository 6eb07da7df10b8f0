from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = _("Checklists")

    def ready(self):
        import checklists.reminders  # noqa: F401  (registers the reminder kinds)
        from checklists import gates, models, panels, receivers, record  # noqa: F401  (record: her items)
        from core import audit
        from engagements import signals
        from engagements.panels import register_detail_panel
        from engagements.workflow import register_guard

        # The checklist's conditions on the engagement workflow (its one place).
        register_guard(
            "confirm",
            gates.before_items_done,
            key="checklists.confirm",
            many=gates.before_items_done_many,
        )
        register_guard(
            "close",
            gates.after_items_done,
            key="checklists.close",
            many=gates.after_items_done_many,
        )

        # The checklist on the engagement's staff page.
        register_detail_panel(
            "checklists.checklist",
            order=10,
            context=panels.engagement_checklist,
            template=panels.TEMPLATE,
        )

        signals.engagement_transitioned.connect(
            receivers.on_engagement_transitioned, dispatch_uid="checklists.instantiate"
        )
        signals.engagement_dates_changed.connect(
            receivers.on_engagement_dates_changed, dispatch_uid="checklists.due_dates"
        )
        signals.participation_status_changed.connect(
            receivers.on_participation_status_changed, dispatch_uid="checklists.participants"
        )

        # Change history: who ticked what, when. The note is encrypted and
        # masked; a justification says why an item did not apply.
        audit.register(models.ChecklistItem, exclude_fields=["updated_at"])
        audit.register(models.ChecklistTemplate)
        audit.register(models.TemplateItem)
