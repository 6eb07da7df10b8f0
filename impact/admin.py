"""Admin: contributions and outcomes, partner links and answers. Lists show
no consultant (contributions are counted, never named, here); encrypted
fields stay out of change forms (``EncryptedFieldsOnlyOnAddMixin``);
histories, links and answers are read-only (the services write them)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin
from impact.models import (
    Contribution,
    FeedbackRequest,
    FollowUpAnswer,
    Outcome,
    PartnerFeedback,
    Work,
    WorkCredit,
)


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "engagement", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["engagement"]
    search_fields = ["engagement__title"]
    raw_id_fields = ["engagement", "created_by"]
    readonly_fields = ["status", "status_changed_at", "created_at", "updated_at"]
    fields = ["engagement", "kind", "summary", "consultants", "created_by", "status"]

    def get_fields(self, request, obj=None):
        # Consultants are chosen on the staff page (by pseudonym, among those
        # who took part); the admin never lists every consultant.
        return [field for field in self.fields if field != "consultants"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Outcome)
class OutcomeAdmin(EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin):
    list_display = ["__str__", "contribution", "status", "decided_on", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["contribution"]
    fields = [
        "contribution",
        "status",
        "decided_on",
        "shared_note",
        "evidence_link",
        "recorded_by",
        "recorded_at",
    ]


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "engagement", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["engagement"]
    fields = ["engagement", "created_by", "created_at", "expires_at", "used_at", "revoked_at"]


class FollowUpInline(admin.TabularInline):
    model = FollowUpAnswer
    extra = 0
    fields = ["contribution", "may_follow_up"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartnerFeedback)
class PartnerFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "engagement", "useful", "submitted_at"]
    list_filter = ["useful"]
    list_select_related = ["engagement"]
    fields = ["engagement", "useful", "will_change", "submitted_at"]
    inlines = [FollowUpInline]


@admin.register(FollowUpAnswer)
class FollowUpAnswerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "contribution", "may_follow_up"]


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    """Works are recorded on the staff pages; here they are read and their
    details corrected. Credits are hers to choose (portal): read-only."""

    list_display = ["__str__", "title", "kind", "published_on", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "partners"]
    fields = ["title", "kind", "published_on", "partners", "link", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A link typed without its scheme is read as https, as on the staff
        # page's form (impact.forms), not as http (Django's default until 6.0).
        if db_field.name == "link":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkCredit)
class WorkCreditAdmin(ReadOnlyAdmin):
    # No consultant in the list: the work and the choice only.
    list_display = ["__str__", "work", "credit_as"]
    list_select_related = ["work"]
    list_filter = ["credit_as"]
    fields = ["work", "credit_as", "updated_at"]
