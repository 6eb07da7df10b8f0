"""The admin site for engagements: administrators only (config/urls.py).

Statuses change only through the workflow and the services, so the admin
shows them but never edits them: the workflow history, participations and
their history, debriefs and feedback are read-only here. An engagement's
details and its privacy plan may be edited; the edit goes through
``engagements.services`` so a change of dates moves the participations'
times too (and a double booking is refused). Encrypted fields (reasons,
story notes, debrief notes, the support person present) are never shown.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin
from core.encryption import encrypted_field_names
from engagements import services
from engagements.models import (
    Debrief,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)


class EngagementTransitionInline(admin.TabularInline):
    model = EngagementTransition
    extra = 0
    can_delete = False
    fields = ["name", "from_status", "to_status", "by", "at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    can_delete = False
    fields = ["consultant", "role", "status", "invited_at", "confirmed_at", "withdrawn_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "audience", "status", "start", "owner"]
    list_filter = ["status", "type", "audience", "mode"]
    search_fields = ["title", "requested_by"]
    list_select_related = ["owner"]
    date_hierarchy = "start"
    filter_horizontal = ["expertise", "assigned_staff"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [ParticipationInline, EngagementTransitionInline]
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        # Cancel instead (workflow); the history and any payment stay.
        return False

    def save_model(self, request, obj, form, change):
        fields = services.ENGAGEMENT_FIELDS
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in fields}
            saved = services.engagement_update(engagement=obj, by=request.user, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
            saved = services.engagement_create(by=request.user, data=data)
        obj.pk = saved.pk
        obj.status = saved.status
        obj._state.adding = False


@admin.register(EngagementTransition)
class EngagementTransitionAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "name", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status", "name"]
    search_fields = ["engagement__title"]
    list_select_related = ["engagement", "by"]


@admin.register(PrivacyPlan)
class PrivacyPlanAdmin(EncryptedFieldsOnlyOnAddMixin, admin.ModelAdmin):
    list_display = ["engagement", "pseudonym_only", "photo", "video", "audio", "approved_at"]
    list_filter = ["photo", "video", "audio", "pseudonym_only"]
    search_fields = ["engagement__title"]
    list_select_related = ["engagement"]
    readonly_fields = ["approved_by", "approved_at", "updated_by", "updated_at"]
    autocomplete_fields = ["engagement"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if change:
            obj.approved_by, obj.approved_at = None, None  # a changed plan is approved again
        super().save_model(request, obj, form, change)


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["consultant", "engagement", "role", "status", "invited_at", "story_sharing"]
    list_filter = ["status", "role", "story_sharing"]
    search_fields = ["consultant__pseudonym", "engagement__title"]
    list_select_related = ["consultant", "engagement"]
    exclude = encrypted_field_names(Participation)


@admin.register(ParticipationChange)
class ParticipationChangeAdmin(ReadOnlyAdmin):
    list_display = ["participation", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["participation__consultant__pseudonym", "participation__engagement__title"]
    list_select_related = ["participation__consultant", "participation__engagement", "by"]


@admin.register(Debrief)
class DebriefAdmin(ReadOnlyAdmin):
    """When and by whom: the note is read on the staff site by those who run
    the engagement."""

    list_display = ["engagement", "held_on", "author", "created_at"]
    search_fields = ["engagement__title"]
    list_select_related = ["engagement", "author"]
    exclude = ["note"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "engagement",
        "shown_as",
        "felt_safe",
        "felt_respected",
        "submitted_at",
    ]
    list_filter = ["anonymous"]
    search_fields = ["participation__engagement__title"]
    list_select_related = ["participation__engagement", "participation__consultant"]

    @admin.display(description=_("engagement"))
    def engagement(self, obj):
        return obj.participation.engagement

    @admin.display(description=_("from"))
    def shown_as(self, obj):
        return _("anonymous") if obj.anonymous else obj.participation.consultant.pseudonym
