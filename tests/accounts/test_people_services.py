"""accounts.services.people: giving and taking roles, deactivating and
reactivating staff, with the guards that always keep an active
administrator, the sessions that end at once, and an audit entry each."""

from __future__ import annotations

import threading

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.models import Session, StaffInvitation, User
from accounts.roles import STAFF_ROLES, Role, roles_held
from accounts.sessions import SessionStore
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _event(user: User) -> dict:
    return (
        LogEntry.objects.get_for_object(user)
        .filter(additional_data__has_key="event")
        .latest("pk")
        .additional_data
    )


# --- Roles ---------------------------------------------------------------------------


def test_an_administrator_gives_and_takes_roles_and_it_is_audited(admin_user, make_user):
    person = make_user(Role.PROGRAMME_STAFF)

    held = services.staff_roles_set(
        user=person, roles={Role.FINANCE_OFFICER, Role.ADMINISTRATOR}, by=admin_user
    )

    person.refresh_from_db()
    assert held == roles_held(person) == {Role.FINANCE_OFFICER, Role.ADMINISTRATOR}
    assert person.is_staff  # the administrator role opens the admin site
    entry = LogEntry.objects.get_for_object(person).latest("pk")
    assert entry.actor == admin_user
    assert entry.additional_data == {
        "event": "staff_roles_changed",
        "roles_before": ["programme_staff"],
        "roles_after": ["administrator", "finance_officer"],
    }

    services.staff_roles_set(user=person, roles={Role.FINANCE_OFFICER}, by=admin_user)
    person.refresh_from_db()
    assert roles_held(person) == {Role.FINANCE_OFFICER} and not person.is_staff


def test_the_same_roles_again_change_nothing_and_write_nothing(admin_user, finance_user):
    entries = LogEntry.objects.count()
    services.staff_roles_set(user=finance_user, roles={Role.FINANCE_OFFICER}, by=admin_user)
    assert LogEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("roles", "code"),
    [
        (set(), "roles_required"),
        ({Role.CONSULTANT}, "not_staff_roles"),
        ({Role.CONSULTANT, Role.FINANCE_OFFICER}, "not_staff_roles"),
    ],
)
def test_only_staff_roles_and_at_least_one(admin_user, finance_user, roles, code):
    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=finance_user, roles=roles, by=admin_user)
    assert error.value.error_dict["roles"][0].code == code
    assert roles_held(finance_user) == {Role.FINANCE_OFFICER}


def test_an_unknown_role_is_refused(admin_user, finance_user):
    with pytest.raises(ValueError):
        services.staff_roles_set(user=finance_user, roles={"root"}, by=admin_user)
    assert roles_held(finance_user) == {Role.FINANCE_OFFICER}


def test_a_consultant_account_is_not_given_staff_roles_here(admin_user, consultant_user):
    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=consultant_user, roles={Role.ADMINISTRATOR}, by=admin_user)
    assert error.value.code == "not_staff"
    assert roles_held(consultant_user) == {Role.CONSULTANT}


def test_a_consultant_role_held_beside_a_staff_role_is_kept(admin_user, make_user):
    person = make_user(Role.PROGRAMME_STAFF)
    services.user_set_roles(user=person, roles={Role.PROGRAMME_STAFF, Role.CONSULTANT})

    services.staff_roles_set(user=person, roles={Role.WELLBEING_LEAD}, by=admin_user)

    assert roles_held(person) == {Role.WELLBEING_LEAD, Role.CONSULTANT}


@pytest.mark.parametrize(
    "role", [Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER, Role.PROGRAMME_STAFF]
)
def test_only_administrators_change_roles(make_user, finance_user, role):
    by = make_user(role)
    with pytest.raises(PermissionDenied):
        services.staff_roles_set(user=finance_user, roles={Role.ADMINISTRATOR}, by=by)
    with pytest.raises(PermissionDenied):
        services.staff_roles_set(user=by, roles={Role.ADMINISTRATOR}, by=by)
    assert roles_held(by) == {role}


def test_a_deactivated_administrator_manages_nobody(admin_user, make_user, finance_user):
    other = make_user(Role.ADMINISTRATOR)
    services.staff_deactivate(user=other, by=admin_user, reason="Left")
    other.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.staff_roles_set(user=finance_user, roles={Role.ADMINISTRATOR}, by=other)


# --- Separation of duties: nobody gives herself a role ------------------------------

GIVABLE = sorted(STAFF_ROLES - {Role.ADMINISTRATOR}, key=lambda role: role.value)


@pytest.mark.parametrize("role", GIVABLE, ids=lambda role: role.value)
def test_an_administrator_cannot_give_herself_a_role(admin_user, make_user, role):
    make_user(Role.ADMINISTRATOR)  # not the last administrator: that is not the reason

    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=admin_user, roles={Role.ADMINISTRATOR, role}, by=admin_user)

    assert error.value.error_dict["roles"][0].code == "own_roles"
    assert roles_held(admin_user) == {Role.ADMINISTRATOR}
    assert _event(admin_user) == {
        "event": "staff_roles_change_refused",
        "roles_before": ["administrator"],
        "roles_asked": sorted(["administrator", role.value]),
    }


@pytest.mark.parametrize("role", GIVABLE, ids=lambda role: role.value)
def test_nor_swap_her_roles_for_one_she_did_not_hold(admin_user, make_user, role):
    make_user(Role.ADMINISTRATOR)

    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=admin_user, roles={role}, by=admin_user)

    assert error.value.error_dict["roles"][0].code == "own_roles"
    assert roles_held(admin_user) == {Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", GIVABLE, ids=lambda role: role.value)
def test_another_administrator_gives_it_to_her(admin_user, make_user, role):
    other = make_user(Role.ADMINISTRATOR)

    services.staff_roles_set(user=admin_user, roles={Role.ADMINISTRATOR, role}, by=other)

    assert roles_held(admin_user) == {Role.ADMINISTRATOR, role}
    assert _event(admin_user)["event"] == "staff_roles_changed"


def test_an_administrator_cannot_make_herself_administrator_again(admin_user, make_user):
    """An administrator who kept another role, say finance, cannot take the
    administrator role back herself either."""
    other = make_user(Role.ADMINISTRATOR)
    finance = make_user(Role.FINANCE_OFFICER)
    services.staff_roles_set(user=finance, roles={Role.FINANCE_OFFICER}, by=other)
    # A superuser administrator without the role: the only one who could try.
    superuser = make_user(Role.FINANCE_OFFICER, is_superuser=True, is_staff=True)

    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(
            user=superuser, roles={Role.ADMINISTRATOR, Role.FINANCE_OFFICER}, by=superuser
        )

    assert error.value.error_dict["roles"][0].code == "own_roles"
    assert roles_held(superuser) == {Role.FINANCE_OFFICER}


def test_she_may_take_her_own_roles_away(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    services.staff_roles_set(
        user=admin_user, roles={Role.ADMINISTRATOR, Role.FINANCE_OFFICER}, by=other
    )

    services.staff_roles_set(user=admin_user, roles={Role.ADMINISTRATOR}, by=admin_user)

    assert roles_held(admin_user) == {Role.ADMINISTRATOR}


def test_the_command_line_may_give_roles(admin_user):
    services.staff_roles_set(
        user=admin_user, roles={Role.ADMINISTRATOR, Role.FINANCE_OFFICER}, by=None
    )

    assert roles_held(admin_user) == {Role.ADMINISTRATOR, Role.FINANCE_OFFICER}


# --- The last administrator ------------------------------------------------------------


def test_the_last_administrator_cannot_take_their_own_role(admin_user, finance_user):
    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=admin_user, roles={Role.FINANCE_OFFICER}, by=admin_user)

    assert error.value.code == "last_administrator"
    assert "last active administrator" in error.value.messages[0]
    assert roles_held(admin_user) == {Role.ADMINISTRATOR}


def test_with_another_administrator_they_may(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    roles = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}
    services.staff_roles_set(user=admin_user, roles=roles, by=other)

    services.staff_roles_set(user=admin_user, roles={Role.PROGRAMME_MANAGER}, by=admin_user)

    admin_user.refresh_from_db()
    assert roles_held(admin_user) == {Role.PROGRAMME_MANAGER} and not admin_user.is_staff


def test_a_deactivated_administrator_does_not_count(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    services.staff_deactivate(user=other, by=admin_user, reason="Left")

    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=admin_user, roles={Role.FINANCE_OFFICER}, by=admin_user)
    assert error.value.code == "last_administrator"


def test_a_superuser_counts_as_an_administrator(admin_user, make_user):
    superuser = make_user(None, is_superuser=True, is_staff=True)
    roles = {Role.ADMINISTRATOR, Role.FINANCE_OFFICER}
    services.staff_roles_set(user=admin_user, roles=roles, by=superuser)

    services.staff_roles_set(user=admin_user, roles={Role.FINANCE_OFFICER}, by=admin_user)

    assert roles_held(admin_user) == {Role.FINANCE_OFFICER}


def test_nobody_leaves_zero_administrators_not_even_from_the_command_line(admin_user):
    with pytest.raises(ValidationError) as error:
        services.staff_roles_set(user=admin_user, roles={Role.PROGRAMME_STAFF}, by=None)
    assert error.value.code == "last_administrator"
    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=admin_user, by=None, reason="Tidying up")
    assert error.value.code == "last_administrator"
    admin_user.refresh_from_db()
    assert admin_user.is_active and roles_held(admin_user) == {Role.ADMINISTRATOR}


def test_an_administrator_cannot_deactivate_themselves(admin_user, make_user):
    make_user(Role.ADMINISTRATOR)  # even with another one

    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=admin_user, by=admin_user, reason="Leaving")

    assert error.value.code == "own_account"
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_inactive_administrator_may_lose_the_role(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    services.staff_deactivate(user=other, by=admin_user, reason="Left")

    services.staff_roles_set(user=other, roles={Role.PROGRAMME_STAFF}, by=admin_user)

    assert roles_held(other) == {Role.PROGRAMME_STAFF}


@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_each_other_at_once_leave_one(make_user):
    """Each request locks the administrator group first, so the second one
    sees the first one's change and is refused."""
    first, second = make_user(Role.ADMINISTRATOR), make_user(Role.ADMINISTRATOR)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user, by):
        try:
            barrier.wait(timeout=10)
            services.staff_roles_set(user=user, roles={Role.PROGRAMME_STAFF}, by=by)
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append(error.code or "")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=take, args=(first, second)),
        threading.Thread(target=take, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["done", "last_administrator"]
    assert services.active_administrators().count() == 1


# --- Deactivating and reactivating ------------------------------------------------------


def test_deactivating_ends_every_session_at_once(admin_user, make_user):
    person = make_user(Role.FINANCE_OFFICER)
    bystander = make_user(Role.FINANCE_OFFICER)
    desk, phone, theirs = client_for(person), client_for(person), client_for(bystander)
    for client in (desk, phone, theirs):
        assert client.get(reverse("compensation:index")).status_code == 200
    assert Session.objects.filter(user=person).count() == 2

    ended = services.staff_deactivate(user=person, by=admin_user, reason="Left the programme")

    assert ended == 2
    assert not Session.objects.filter(user=person).exists()
    for client in (desk, phone):
        response = client.get(reverse("compensation:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert theirs.get(reverse("compensation:index")).status_code == 200
    person.refresh_from_db()
    assert not person.is_active


def test_deactivation_is_audited_with_its_reason(admin_user, finance_user):
    services.staff_deactivate(user=finance_user, by=admin_user, reason="Contract ended")

    entry = (
        LogEntry.objects.get_for_object(finance_user)
        .filter(additional_data__event="staff_deactivated")
        .get()
    )
    assert entry.actor == admin_user
    assert entry.additional_data == {
        "event": "staff_deactivated",
        "reason": "Contract ended",
        "sessions_ended": 0,
    }


def test_deactivation_needs_a_reason(admin_user, finance_user):
    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=finance_user, by=admin_user, reason="   ")
    assert error.value.error_dict["reason"][0].code == "reason_required"
    finance_user.refresh_from_db()
    assert finance_user.is_active


def test_deactivation_keeps_roles_and_second_factor_and_closes_the_link(admin_user, make_user):
    waiting = make_user(Role.PROGRAMME_STAFF, mfa=False)
    issued = services.staff_invitation_resend(user=waiting, by=admin_user)
    set_up = make_user(Role.WELLBEING_LEAD)

    services.staff_deactivate(user=waiting, by=admin_user, reason="Did not join")
    services.staff_deactivate(user=set_up, by=admin_user, reason="On leave")

    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is not None
    assert Authenticator.objects.filter(user=set_up).exists()
    assert roles_held(set_up) == {Role.WELLBEING_LEAD}


def test_reactivating_gives_the_account_back_as_it_was(admin_user, wellbeing_user):
    services.staff_deactivate(user=wellbeing_user, by=admin_user, reason="On leave")
    services.staff_reactivate(user=wellbeing_user, by=admin_user)

    wellbeing_user.refresh_from_db()
    assert wellbeing_user.is_active
    assert roles_held(wellbeing_user) == {Role.WELLBEING_LEAD}
    assert Authenticator.objects.filter(user=wellbeing_user).exists()
    assert _event(wellbeing_user) == {"event": "staff_reactivated"}
    assert client_for(wellbeing_user).get("/staff/").status_code == 200


def test_twice_is_refused(admin_user, finance_user):
    with pytest.raises(ValidationError) as error:
        services.staff_reactivate(user=finance_user, by=admin_user)
    assert error.value.code == "active"
    services.staff_deactivate(user=finance_user, by=admin_user, reason="Left")
    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=finance_user, by=admin_user, reason="Left")
    assert error.value.code == "inactive"


def test_a_deactivated_account_gets_no_new_link_or_reset(admin_user, make_user):
    waiting = make_user(Role.PROGRAMME_STAFF, mfa=False)
    set_up = make_user(Role.PROGRAMME_STAFF)
    for person in (waiting, set_up):
        services.staff_deactivate(user=person, by=admin_user, reason="Left")
        person.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.staff_invitation_resend(user=waiting, by=admin_user)
    assert error.value.code == "inactive"
    with pytest.raises(ValidationError) as error:
        services.staff_mfa_reset(user=set_up, reason="x", by=admin_user)
    assert error.value.code == "inactive"
    assert not StaffInvitation.objects.filter(user__in=[waiting, set_up], revoked_at=None).exists()


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.WELLBEING_LEAD])
def test_only_administrators_deactivate_and_reactivate(make_user, finance_user, role):
    by = make_user(role)
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(user=finance_user, by=by, reason="x")
    with pytest.raises(PermissionDenied):
        services.staff_reactivate(user=finance_user, by=by)
    finance_user.refresh_from_db()
    assert finance_user.is_active


def test_consultants_are_not_deactivated_here(admin_user, consultant_user):
    with pytest.raises(ValidationError) as error:
        services.staff_deactivate(user=consultant_user, by=admin_user, reason="x")
    assert error.value.code == "not_staff"
    consultant_user.refresh_from_db()
    assert consultant_user.is_active


# --- Sessions carry their person ----------------------------------------------------------


def test_a_session_records_who_signed_in_and_nobody_before(finance_user):
    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.save()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None

    signed_in = client_for(finance_user)
    signed_in.get("/staff/")
    assert Session.objects.get(session_key=signed_in.session.session_key).user == finance_user


def test_signing_out_leaves_no_session_of_theirs(finance_user):
    client = client_for(finance_user)
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(user=finance_user).exists()
