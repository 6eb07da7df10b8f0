"""Admin pages of the survivor network. Each part of #18 keeps its own
section; lists name consultants by pseudonym only (``__str__``)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin
from network.models import (
    AdvisoryReview,
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Leadership,
    LearningEvent,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
    Pathway,
    PathwayStep,
    PeerCircle,
    Reflection,
    SkillEvidence,
    StepReached,
)

# --- Growth (#18 part 1) ------------------------------------------------------------------
# Pathways and their steps are defined here. Learning events are set on the
# engagement's staff page; skills, steps reached and reflections are written
# by the services: read here. No list names a consultant.


class PathwayStepInline(admin.TabularInline):
    model = PathwayStep
    extra = 1
    fields = ["order", "title", "description", "skills"]
    filter_horizontal = ["skills"]


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["network", "name", "description", "is_active"]
    inlines = [PathwayStepInline]

    def has_delete_permission(self, request, obj=None):
        return False  # retired (not offered), never deleted: steps reached point at it


@admin.register(PathwayStep)
class PathwayStepAdmin(admin.ModelAdmin):
    list_display = ["title", "pathway", "order"]
    list_select_related = ["pathway"]
    list_filter = ["pathway"]
    fields = ["pathway", "order", "title", "description", "skills"]
    filter_horizontal = ["skills"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LearningEvent)
class LearningEventAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["engagement"]
    fields = ["engagement", "kind", "skills", "created_by", "created_at"]


@admin.register(SkillEvidence)
class SkillEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "skill", "source", "gained_on", "withdrawn_at"]
    list_select_related = ["skill"]
    list_filter = ["source", "skill"]
    fields = [
        "skill",
        "source",
        "engagement",
        "note",
        "gained_on",
        "recorded_by",
        "recorded_at",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    ]


@admin.register(StepReached)
class StepReachedAdmin(ReadOnlyAdmin):
    list_display = ["step", "reached_on"]
    list_select_related = ["step"]
    fields = ["step", "reached_on", "recorded_by"]


@admin.register(Reflection)
class ReflectionAdmin(EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin):
    # Her words stay out of the admin: encrypted, and hers.
    list_display = ["pk", "shared_with_team", "created_at"]
    fields = ["shared_with_team", "created_at"]


# --- Part 3: survivor leaders' advisory reviews ------------------------------------------
# Read-only: reviews are given in the leader's area (network.services.reviews),
# which pays and audits them; the admin shows, never writes.


@admin.register(AdvisoryReview)
class AdvisoryReviewAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "engagement", "leader", "recommendation", "submitted_at"]
    list_filter = ["recommendation"]
    list_select_related = ["engagement", "leader"]
    search_fields = ["engagement__title"]
    fields = ["engagement", "leader", "recommendation", "changes", "notes", "submitted_at"]


# --- Parts 2 and 4: peer circles, the network itself, what it led ----------------------


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "leaders_need_mfa", "review_fee", "circle_allowance"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Leadership)
class LeadershipAdmin(ReadOnlyAdmin):
    """Named and ended on the network's page (the role follows the rows)."""

    list_display = ["__str__", "since", "until"]
    list_select_related = ["consultant", "network"]
    fields = ["network", "consultant", "since", "until", "named_by", "ended_by"]


@admin.register(PeerCircle)
class PeerCircleAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "paid", "started_on", "ended_on"]
    list_filter = ["paid"]
    search_fields = ["name"]
    raw_id_fields = ["facilitator", "co_facilitator", "staff_contact"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CircleMembership)
class CircleMembershipAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "joined_on", "left_on"]
    list_select_related = ["consultant", "circle"]
    fields = ["circle", "consultant", "joined_on", "left_on"]


@admin.register(CircleMeeting)
class CircleMeetingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "mode", "cancelled_at"]
    list_select_related = ["circle"]
    fields = ["circle", "starts_at", "mode", "cancelled_at", "created_by", "created_at"]


@admin.register(CircleAttendance)
class CircleAttendanceAdmin(ReadOnlyAdmin):
    """Marked on the circle's attendance page, which writes the payment line."""

    list_display = ["__str__", "present", "allowance", "marked_at"]
    list_select_related = ["consultant", "meeting__circle"]
    fields = ["meeting", "consultant", "present", "allowance", "marked_by", "marked_at"]


@admin.register(NetworkLedEngagement)
class NetworkLedEngagementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "network", "marked_at"]
    list_select_related = ["engagement", "network"]
    fields = ["network", "engagement", "marked_by", "marked_at"]


@admin.register(NetworkLedWork)
class NetworkLedWorkAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "network", "marked_at"]
    list_select_related = ["work", "network"]
    fields = ["network", "work", "marked_by", "marked_at"]
