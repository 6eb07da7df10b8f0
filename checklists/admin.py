"""Admin: checklist templates (drafts edited here, in English and Filipino,
with their items in order; published versions read-only) and, read-only,
the checklists made from them. Publishing (refused without the Filipino)
and new versions go through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from checklists import services
from checklists.models import (
    Checklist,
    ChecklistItem,
    ChecklistTally,
    ChecklistTemplate,
    TemplateItem,
)
from core.admin import ReadOnlyAdmin


class TemplateItemInline(admin.StackedInline):
    model = TemplateItem
    extra = 0
    ordering = ["order", "id"]
    fields = [
        ("order", "key", "stage"),
        ("title", "title_fil"),
        ("guidance", "guidance_fil"),
        ("owner_role", "due_anchor", "due_offset_days"),
        ("evidence", "waivable", "gates"),
        ("condition", "engagement_types"),
    ]

    def _published(self, obj) -> bool:
        return obj is not None and obj.is_published

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Drafts are edited here (items in order, by their order number; each
    text in English and Filipino) and published with the action, which
    refuses a version whose Filipino is missing; a published version is
    read-only. To change a published version, make a new draft version from
    it (the Filipino is copied with the English)."""

    list_display = ["name", "slug", "version", "published_at", "item_count"]
    list_filter = ["slug", "published_at"]
    actions = ["publish", "new_version"]
    inlines = [TemplateItemInline]
    fields = [
        "slug",
        "version",
        "name",
        "name_fil",
        "description",
        "description_fil",
        "published_at",
    ]

    @admin.display(description=_("items"))
    def item_count(self, obj):
        return obj.items.count()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version", "published_at"]
        if obj.is_published:
            return self.fields
        return ["slug", "version", "published_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_published or obj.checklists.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(published_at__isnull=True))

    def save_model(self, request, obj, form, change):
        if not change:
            latest = ChecklistTemplate.objects.filter(slug=obj.slug).order_by("-version").first()
            obj.version = (latest.version + 1) if latest else 1
        obj.full_clean()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        published = 0
        for template in queryset.filter(published_at__isnull=True):
            try:
                services.template_publish(template=template, by=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                published += 1
        self.message_user(
            request,
            ngettext("%(count)d version published.", "%(count)d versions published.", published)
            % {"count": published},
        )

    @admin.action(description=_("Make a new draft version from the selected one"))
    def new_version(self, request, queryset):
        for template in queryset:
            draft = services.template_create_draft(template=template, by=request.user)
            self.message_user(
                request,
                _("Draft version %(version)d of “%(name)s” made: edit it, then publish it.")
                % {"version": draft.version, "name": draft.name},
            )


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["order", "title", "stage", "owner_role", "consultant", "due_at", "status", "done_at"]
    readonly_fields = fields
    ordering = ["order", "id"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    """Read-only: a checklist changes through the staff pages (ticks) only."""

    list_display = ["engagement", "template", "created_at"]
    list_select_related = ["engagement", "template"]
    search_fields = ["engagement__title"]
    readonly_fields = ["engagement", "template", "created_at"]
    inlines = [ChecklistItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChecklistTally)
class ChecklistTallyAdmin(ReadOnlyAdmin):
    """Read-only: kept by the database as items change (checklists/tally.py);
    here to check a figure against its checklist."""

    list_display = ["checklist", "done", "done_on_time"]
    list_select_related = ["checklist__engagement"]
    search_fields = ["checklist__engagement__title"]
    readonly_fields = ["checklist", "done", "done_on_time"]
