from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Survivor network")

    def ready(self):
        from core import audit
        from network import models

        # Change history: who named, led, reviewed, recorded or marked what.
        for model in (
            models.Network,
            models.Leadership,
            models.LearningEvent,
            models.SkillEvidence,
            models.Pathway,
            models.PathwayStep,
            models.StepReached,
            models.PeerCircle,
            models.CircleMembership,
            models.CircleMeeting,
            models.CircleAttendance,
            models.AdvisoryReview,
            models.Reflection,
            models.NetworkLedEngagement,
            models.NetworkLedWork,
        ):
            audit.register(model)

        # --- Growth (#18 part 1): the learning-event panel, skills from
        # attendance, the mentor search, her record's growth sections.
        from engagements.panels import register_detail_panel
        from engagements.signals import participation_status_changed
        from network import forms_growth, panels_growth, record_growth  # noqa: F401
        from network.services import growth as growth_services

        register_detail_panel(
            "network.learning_event",
            order=5,
            context=panels_growth.learning_event,
            template=panels_growth.TEMPLATE,
        )
        participation_status_changed.connect(
            growth_services.on_participation_status_changed,
            dispatch_uid="network.growth.participation_status_changed",
        )
        # --- Part 3: survivor leaders' reviews --------------------------------------
        # The reviews panel first among the engagement page's panels (where a
        # manager approves), and approval refused while a required review is
        # missing (network.services.reviews).
        from engagements.panels import register_detail_panel
        from engagements.workflow import register_guard
        from network import panels
        from network.services import reviews

        register_detail_panel(
            "network.advisory_reviews",
            order=1,
            context=panels.engagement_reviews,
            template=panels.TEMPLATE,
        )
        register_guard(
            "approve",
            reviews.approval_guard,
            key="network.advisory_review",
            many=reviews.approval_guard_many,
        )

        # Part 2, peers (wt-d): skills gained count as evidence in matching
        # (engagements.matching.register_skill_evidence; network/matching.py).
        from network import matching

        matching.register()
