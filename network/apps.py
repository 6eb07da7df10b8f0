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
