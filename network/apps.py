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

        # Part 2, peers (wt-d): skills gained count as evidence in matching
        # (engagements.matching.register_skill_evidence; network/matching.py).
        from network import matching

        matching.register()
