"""Admin pages of the survivor network. Each part of #18 keeps its own
section; lists name consultants by pseudonym only (``__str__``)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin
from network.models import (
    AdvisoryReview,
    LearningEvent,
    Pathway,
    PathwayStep,
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
