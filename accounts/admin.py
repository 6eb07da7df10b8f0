"""The admin site for accounts: administrators only (config/urls.py).

No consultant's address in any list, filter, search or form. A
consultant's ``email`` is a lookup token and ``sealed_email`` her address,
encrypted (docs/ARCHITECTURE.md, "Contact details and sign-in"): neither
is ever shown, and a search never matches either. A staff member's work
address is shown.

Accounts are not added or deleted here: staff are invited (the people
pages or ``manage.py invite_staff``), consultants through the portal
invitation, and an account that has acted is deactivated, never deleted
(audit entries name it). Roles, deactivation and second factors are
changed on the people pages (``/staff/people/``), whose services keep an
active administrator, end sessions and write the audit entry; here they
are read-only, with a link there. allauth's e-mail address list is
replaced by one of staff addresses only.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffInvitation, User
from accounts.roles import Role, is_staff_account
from accounts.sealing import LOOKUP_DOMAIN
from accounts.selectors import hidden_address, staff_condition


def _search(queryset, search_term: str):
    """Name, or a staff work address; never a token or a consultant's."""
    term = search_term.strip()
    if not term:
        return queryset
    return queryset.filter(
        Q(display_name__icontains=term) | (Q(email__icontains=term) & ~hidden_address())
    )


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() not in Role.values:
            return queryset
        return queryset.filter(
            Exists(
                User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=self.value())
            )
        )


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["__str__", "work_address", "roles", "is_active", "is_staff", "last_login"]
    list_filter = [RoleFilter, "is_active", "is_staff", "is_superuser"]
    search_fields = ["display_name"]  # and staff addresses: get_search_results
    search_help_text = _("A name, or a staff member's e-mail address.")
    ordering = ["display_name", "pk"]
    actions = None
    fields = [
        "display_name",
        "language",
        "work_address",
        "roles",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "manage",
    ]
    readonly_fields = [
        "work_address",
        "roles",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "manage",
    ]

    def get_queryset(self, request):
        from django.contrib.auth.models import Group

        names = Group.objects.filter(user=OuterRef("pk")).order_by("name").values("name")
        return (
            super()
            .get_queryset(request)
            .annotate(
                role_names=ArraySubquery(names),
                address_hidden=ExpressionWrapper(hidden_address(), output_field=BooleanField()),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        return _search(queryset, search_term), False

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not is_staff_account(obj):
            # A consultant's display name is her pseudonym, kept with her profile.
            readonly.append("display_name")
        return readonly

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("e-mail address"))
    def work_address(self, obj: User) -> str:
        if getattr(obj, "address_hidden", True):
            return "—"
        return obj.email

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        names = getattr(obj, "role_names", None) or []
        return ", ".join(str(Role(name).label) for name in names if name in Role.values) or "—"

    @admin.display(description=_("roles, activity and second factor"))
    def manage(self, obj: User) -> str:
        if obj.pk is None or not is_staff_account(obj):
            return _("Consultants are managed on the consultants pages.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("people:person", args=[obj.pk]),
            _("Change them on the people pages"),
        )


# --- allauth's e-mail addresses: staff only -----------------------------------------

if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class StaffEmailAddressAdmin(admin.ModelAdmin):
    """allauth's list of addresses, holding staff work addresses only: a
    consultant's row (a lookup token, or any address of an account with
    the consultant role) is not in the list, the search or a change page.
    Read-only: an address follows its account."""

    list_display = ["email", "user", "primary", "verified"]
    list_filter = ["primary", "verified"]
    search_fields = ["email", "user__display_name"]
    raw_id_fields = ["user"]
    actions = None

    def get_queryset(self, request):
        shown = User.objects.filter(staff_condition(), pk=OuterRef("user_id")).exclude(
            hidden_address()
        )
        return (
            super()
            .get_queryset(request)
            .exclude(email__iendswith=f"@{LOOKUP_DOMAIN}")
            .filter(Exists(shown))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    """History of invitation links: who, what kind, when; never the token
    (only its hash is stored, and that is not shown either)."""

    list_display = ["user", "kind", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["kind"]
    fields = [
        "user",
        "kind",
        "reason",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
