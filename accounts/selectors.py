"""Reads for the people pages (administrators): staff accounts, never
consultants, and never a sign-in address that is not a staff member's own
work address (a consultant's ``email`` is a lookup token; see
docs/ARCHITECTURE.md, "Contact details and sign-in")."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    EmailField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import StaffInvitation, User
from accounts.roles import STAFF_ROLES, Role
from accounts.sealing import LOOKUP_DOMAIN

ACTIVE, INACTIVE = "active", "inactive"


def _in_group(*names: str) -> Exists:
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=names))


def staff_condition() -> Q:
    """A staff account, active or not (``accounts.roles.is_staff_account``)."""
    return (
        Q(_in_group(*(role.value for role in STAFF_ROLES)))
        | Q(is_staff=True)
        | Q(is_superuser=True)
    )


def hidden_address() -> Q:
    """Rows whose ``email`` is no staff work address: a lookup token, or the
    account of anyone who is also a consultant (unsealed ones included)."""
    return Q(email__iendswith=f"@{LOOKUP_DOMAIN}") | Q(_in_group(Role.CONSULTANT.value))


def staff_accounts() -> QuerySet[User]:
    """Every staff account, active or not, as the people pages show it: its
    roles (``role_names``), whether an authenticator is set up, until when
    an open link works, and ``shown_email`` (empty where no address may be
    shown). One query per page, whatever the number of people."""
    return with_people_columns(staff_rows())


def staff_rows() -> QuerySet[User]:
    """Every staff account, bare, in the people page's order (name, then
    id: index ``accounts_user_people_order_idx``)."""
    return User.objects.filter(staff_condition()).order_by(Lower("display_name"), "pk")


def with_people_columns(people: QuerySet[User]) -> QuerySet[User]:
    """What a row of the people pages shows beyond its own columns (see
    ``staff_accounts``), computed in the query that reads the rows: a page
    annotates its rows only (``core.bounded.AnnotatedPaginator``)."""
    now = timezone.now()
    open_links = StaffInvitation.objects.filter(
        user=OuterRef("pk"), used_at=None, revoked_at=None, expires_at__gt=now
    )
    role_names = (
        Group.objects.filter(user=OuterRef("pk"), name__in=[role.value for role in Role])
        .order_by("name")
        .values("name")
    )
    return people.annotate(
        has_totp=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        ),
        link_expires_at=Subquery(open_links.values("expires_at")[:1]),
        role_names=ArraySubquery(role_names),
        shown_email=Case(
            When(hidden_address(), then=Value("")),
            default=F("email"),
            output_field=EmailField(),
        ),
    )


def people_list(
    *, search: str = "", role: Role | None = None, status: str | None = None
) -> QuerySet[User]:
    """Staff accounts for the people page: ``search`` in the name or a staff
    work address (never a consultant's), ``role`` held, ``status`` active
    or inactive. Bare rows: page them with ``with_people_columns``."""
    people = staff_rows()
    search = search.strip()
    if search:
        people = people.filter(
            Q(display_name__icontains=search) | (Q(email__icontains=search) & ~hidden_address())
        )
    if role is not None:
        people = people.filter(_in_group(role.value))
    if status == ACTIVE:
        people = people.filter(is_active=True)
    elif status == INACTIVE:
        people = people.filter(is_active=False)
    return people


def people_page_rows(page_rows: QuerySet[User]) -> list[User]:
    """The rows of one page of ``people_list`` (a slice), with the columns
    of ``with_people_columns`` computed for them alone, in the same order."""
    return list(
        with_people_columns(User.objects.filter(pk__in=page_rows.values("pk"))).order_by(
            Lower("display_name"), "pk"
        )
    )


def person_for_admin(*, pk: int) -> User | None:
    """One staff account with what its page shows, or None."""
    return staff_accounts().filter(pk=pk).first()
