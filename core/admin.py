"""Admin building blocks every app's admin uses."""

from __future__ import annotations

from django.contrib import admin

from core.encryption import encrypted_field_names


class EncryptedFieldsOnlyOnAddMixin:
    """Leaves encrypted fields out of the change form of an existing object:
    showing them would be a reveal without a reason or an audit entry."""

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        if obj is not None:
            exclude += encrypted_field_names(self.model)  # type: ignore[attr-defined]
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        if obj is None:
            return fields
        hidden = set(encrypted_field_names(self.model))  # type: ignore[attr-defined]
        return [field for field in fields if field not in hidden]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History that only services write: viewable, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
