"""The admin site for consultants: administrators only (config/urls.py).

Pseudonym first here too: no encrypted value in a change list, a filter or
a search, and on an existing record the encrypted fields are not shown at
all: an administrator sees them on the staff site through a reveal, which
is audited (DESIGN: "administrator: everything, every reveal audited").
They may be typed in when a record is added (typing is not revealing).

Consent records and status changes are read-only; consent texts are
editable until published, then read-only, with their Filipino inline
(published only with it; a text published before Tinig spoke Filipino may
gain it once); wellbeing notes show only when and by whom, never their text.

Data-subject rights, for whom ``consultants.access`` allows (administrators):
"Download record as JSON" (``services.consultant_export``, audited by the
service) and "Erase identity" (``services.consultant_erase_identity``, on a
confirmation page that asks for the reason), both as change-list actions
and as buttons on a consultant's page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from consultants import access, services
from consultants.models import (
    TRANSLATED_LANGUAGES,
    BusyPeriod,
    ConsentRecord,
    ConsentText,
    ConsentTextTranslation,
    Consultant,
    ExpertiseTopic,
    StatusChange,
    WeeklyAvailability,
    WellbeingNote,
)
from core.admin import EncryptedFieldsOnlyOnAddMixin, ReadOnlyAdmin


@admin.register(ExpertiseTopic)
class ExpertiseTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        # Retire a topic (untick "offered") instead: profiles keep it.
        return False


class EraseIdentityForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the consultant's written request of 3 June. Written to the audit trail."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why."))
        return reason


class WeeklyAvailabilityInline(admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


@admin.register(Consultant)
class ConsultantAdmin(EncryptedFieldsOnlyOnAddMixin, admin.ModelAdmin):
    list_display = ["pseudonym", "status", "region", "joined_on", "has_portal_account"]
    list_filter = ["status", "region", "occupation_status", "story_sharing_default", "expertise"]
    search_fields = ["pseudonym"]  # never an encrypted field: they cannot be searched
    list_select_related = ["user"]
    readonly_fields = [
        "status",
        "break_until",
        "user",
        "public_bio_approved_at",
        "identity_erased_at",
        # Her own choices for a shared phone (portal: Privacy on this phone).
        "exit_signs_out",
        "discretion",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["expertise"]
    inlines = [WeeklyAvailabilityInline]
    show_full_result_count = False
    actions = ["download_record", "erase_identity"]
    change_form_template = "consultants/admin/consultant_change_form.html"

    @admin.display(boolean=True, description=_("portal account"))
    def has_portal_account(self, obj):
        return obj.user_id is not None

    def has_delete_permission(self, request, obj=None):
        # Consultants are never deleted: their identity is erased on request
        # (consultants.services.consultant_erase_identity); financial and
        # consent records keep pointing at the pseudonym.
        return False

    # --- Data-subject rights: who may ----------------------------------------------

    def has_export_permission(self, request, obj=None):
        return access.can_export(request.user, obj or Consultant())

    def has_erase_permission(self, request, obj=None):
        return access.can_erase_identity(request.user, obj or Consultant())

    def _one_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one consultant."), messages.WARNING)
            return None
        return queryset.get()

    @admin.action(description=_("Download record as JSON"), permissions=["export"])
    def download_record(self, request, queryset):
        consultant = self._one_selected(request, queryset)
        if consultant is not None:
            return self._export(request, consultant)
        return None

    @admin.action(description=_("Erase identity"), permissions=["erase"])
    def erase_identity(self, request, queryset):
        consultant = self._one_selected(request, queryset)
        if consultant is not None:
            return redirect(self._url("erase", consultant))
        return None

    # --- Data-subject rights: pages --------------------------------------------------

    def get_urls(self):
        get_or_post = require_http_methods(["GET", "POST"])
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(get_or_post(self.export_view)),
                name="consultants_consultant_export",
            ),
            path(
                "<int:pk>/erase/",
                self.admin_site.admin_view(get_or_post(self.erase_view)),
                name="consultants_consultant_erase",
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, consultant: Consultant) -> str:
        return reverse(f"admin:consultants_consultant_{name}", args=[consultant.pk])

    def _export(self, request, consultant: Consultant):
        from consultants.views.portal import record_download_response

        if not access.can_export(request.user, consultant):
            raise PermissionDenied
        data = services.consultant_export(consultant=consultant, by=request.user, request=request)
        return record_download_response(data, name=f"tinig-record-{consultant.pk}")

    def _context(self, request, consultant: Consultant, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": consultant,
            "title": title,
            **extra,
        }

    def export_view(self, request, pk):
        """GET: what the file holds; POST: the file (audited by the service)."""
        consultant = get_object_or_404(Consultant, pk=pk)
        if not self.has_export_permission(request, consultant):
            raise PermissionDenied
        if request.method == "POST":
            return self._export(request, consultant)
        return TemplateResponse(
            request,
            "consultants/admin/export.html",
            self._context(request, consultant, _("Download record as JSON")),
        )

    def erase_view(self, request, pk):
        consultant = get_object_or_404(Consultant, pk=pk)
        if not self.has_erase_permission(request, consultant):
            raise PermissionDenied
        change_url = reverse("admin:consultants_consultant_change", args=[consultant.pk])
        if consultant.is_erased:
            self.message_user(
                request, _("This consultant's identity was already erased."), messages.WARNING
            )
            return redirect(change_url)
        form = EraseIdentityForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.consultant_erase_identity(
                    consultant=consultant,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(
                    request,
                    _("The identity of %(pseudonym)s is erased.") % {"pseudonym": consultant},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        return TemplateResponse(
            request,
            "consultants/admin/erase.html",
            self._context(
                request,
                consultant,
                _("Erase identity"),
                form=form,
                erased_fields=[
                    Consultant._meta.get_field(name).verbose_name for name in services.ERASED_FIELDS
                ],
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_export_record"] = obj is not None and self.has_export_permission(request, obj)
        context["can_erase_identity"] = (
            obj is not None and not obj.is_erased and self.has_erase_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change and "public_bio" in form.changed_data:
            obj.public_bio_approved_at = None  # a changed bio is approved again
        super().save_model(request, obj, form, change)
        if not change:
            StatusChange.objects.create(
                consultant=obj, from_status="", to_status=obj.status, changed_by=request.user
            )


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["consultant", "from_status", "to_status", "break_until", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["consultant__pseudonym"]
    list_select_related = ["consultant"]
    exclude = ["reason"]  # encrypted


@admin.register(BusyPeriod)
class BusyPeriodAdmin(EncryptedFieldsOnlyOnAddMixin, admin.ModelAdmin):
    list_display = ["consultant", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    search_fields = ["consultant__pseudonym"]
    list_select_related = ["consultant"]
    autocomplete_fields = ["consultant"]


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["consultant", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    search_fields = ["consultant__pseudonym"]
    list_select_related = ["consultant"]
    autocomplete_fields = ["consultant"]


class ConsentTextTranslationInline(admin.StackedInline):
    """The words of the text in Filipino: edited with the draft; on a
    published text read-only, or added once if it was published without
    them (before Tinig spoke Filipino). Saved through the services."""

    model = ConsentTextTranslation
    fields = ["language", "body"]
    max_num = len(TRANSLATED_LANGUAGES)

    @staticmethod
    def _published(obj) -> bool:
        return obj is not None and obj.is_published

    def get_extra(self, request, obj=None, **kwargs):
        return len(obj.missing_languages()) if obj is not None else len(TRANSLATED_LANGUAGES)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        missing = obj.missing_languages() if obj is not None else list(TRANSLATED_LANGUAGES)
        if missing and "language" in formset.form.base_fields:
            formset.form.base_fields["language"].initial = missing[0]
        return formset

    def has_add_permission(self, request, obj=None):
        allowed = not self._published(obj) or bool(obj.missing_languages())
        return allowed and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Drafts are edited here, in English and (inline) Filipino, and
    published with the action, which refuses a text without its Filipino.
    A published text is read-only (a new wording is a new version); one
    published before Tinig spoke Filipino opens only to add its Filipino."""

    list_display = ["scope", "version", "in_filipino", "published_at"]
    list_filter = ["scope", "published_at"]
    search_fields = ["body"]
    actions = ["publish"]
    fields = ["scope", "version", "body", "published_at"]
    inlines = [ConsentTextTranslationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _in_filipino=Exists(
                    ConsentTextTranslation.objects.filter(text=OuterRef("pk"), language="fil")
                )
            )
        )

    @admin.display(boolean=True, description=_("in Filipino"), ordering="_in_filipino")
    def in_filipino(self, obj):
        return obj._in_filipino

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version", "published_at"]
        if obj.is_published:
            return ["scope", "version", "body", "published_at"]
        return ["scope", "version", "published_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published and not obj.missing_languages():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_published or obj.records.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # Bulk delete from the change list: drafts only.
        super().delete_queryset(request, queryset.filter(published_at__isnull=True))

    def save_model(self, request, obj, form, change):
        if change and obj.is_published:
            return  # opened only to add its Filipino (the inline)
        if change:
            saved = services.consent_text_update(text=obj, body=obj.body, by=request.user)
        else:
            saved = services.consent_text_create(scope=obj.scope, body=obj.body, by=request.user)
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not ConsentTextTranslation:
            return super().save_formset(request, form, formset, change)
        text = form.instance
        translations = formset.save(commit=False)
        for gone in formset.deleted_objects:
            services.consent_text_translate(
                text=text, language=gone.language, body="", by=request.user
            )
        for translation in translations:
            services.consent_text_translate(
                text=text, language=translation.language, body=translation.body, by=request.user
            )
        return None

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        published = 0
        for text in queryset.filter(published_at__isnull=True):
            try:
                services.consent_text_publish(text=text, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{text}: {'; '.join(error.messages)}", messages.ERROR)
            else:
                published += 1
        self.message_user(
            request,
            ngettext("%(count)d text published.", "%(count)d texts published.", published)
            % {"count": published},
        )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "consultant",
        "scope",
        "action",
        "text_version",
        "text_language",
        "recorded_at",
        "recorded_by",
        "has_evidence",
    ]
    list_filter = ["scope", "action"]
    search_fields = ["consultant__pseudonym"]
    list_select_related = ["consultant", "consent_text", "recorded_by"]
    # The evidence file has no URL (private storage) and carries a legal
    # name: its presence shows, the file opens on the staff site (audited).
    exclude = ["evidence"]
    readonly_fields = ["has_evidence"]

    @admin.display(description=_("text version"))
    def text_version(self, obj):
        return obj.consent_text.version

    @admin.display(boolean=True, description=_("evidence"))
    def has_evidence(self, obj):
        return bool(obj.evidence)


@admin.register(WellbeingNote)
class WellbeingNoteAdmin(admin.ModelAdmin):
    """Only when and by whom: the text is read through the staff site (an
    audited reveal by the assigned lead or an administrator)."""

    list_display = ["consultant", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["consultant__pseudonym"]
    list_select_related = ["consultant", "author"]
    exclude = ["body"]
    readonly_fields = ["consultant", "kind", "author", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
