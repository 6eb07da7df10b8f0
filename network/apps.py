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
        # Leaders are told when a request waits for their review: the
        # reminder kind "review_requested", recorded in the submission's
        # transaction (network/reminders.py).
        from engagements.signals import engagement_transitioned
        from network import reminders as network_reminders

        engagement_transitioned.connect(
            network_reminders.on_engagement_transitioned,
            dispatch_uid="network.reminders.review_requested",
        )

        # Part 2, peers (wt-d): skills gained count as evidence in matching
        # (engagements.matching.register_skill_evidence; network/matching.py).
        from network import matching

        matching.register()

        # --- Parts 2 and 4 of #18 (peer circles; the network itself) ---------------
        from django.db.models.signals import post_save

        from consultants.models import Consultant
        from consultants.selectors import consultant_search
        from core.search import SearchSource, register_source
        from engagements.panels import register_detail_panel
        from network import access_staff, forms_staff, panels_led, record_circles  # noqa: F401
        from network.services.network import leader_role_follows_account

        def _pseudonym(consultant) -> str:
            return consultant.pseudonym

        register_source(
            SearchSource(
                name=forms_staff.LEADER_SOURCE,
                can_use=access_staff.can_manage_network,
                queryset=access_staff.choosable_consultants,
                search=consultant_search,
                label=_pseudonym,
                hint=_("Search by pseudonym: active consultants only."),
            )
        )
        register_source(
            SearchSource(
                name=forms_staff.CIRCLE_SOURCE,
                can_use=access_staff.can_choose_circle_consultants,
                queryset=access_staff.choosable_consultants,
                search=consultant_search,
                label=_pseudonym,
                hint=_("Search by pseudonym: active consultants only."),
            )
        )
        register_detail_panel(
            "network.led",
            order=30,
            context=panels_led.engagement_led,
            template=panels_led.TEMPLATE,
        )
        # A leader named before her portal account existed gets the role
        # when the account comes (consultants.services.consultant_invite_to_portal).
        post_save.connect(
            leader_role_follows_account,
            sender=Consultant,
            dispatch_uid="network_leader_role_follows_account",
        )
