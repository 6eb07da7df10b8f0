"""The survivor leader role (accounts.roles.Role.SURVIVOR_LEADER): held
beside the consultant role only, given and taken by naming and ending a
leadership (network.services.leader_name / leader_end), explained on the
people pages but never given there. What she may reach is in every
permission matrix ("survivor_leader" / "leader" columns) and in
tests/network/test_leader_sees_no_identity.py."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.invitation_forms import STAFF_ROLE_CHOICES
from accounts.models import User
from accounts.roles import (
    ROLE_DESCRIPTIONS,
    STAFF_ROLES,
    Role,
    has_role,
    is_consultant,
    is_staff_account,
    is_staff_member,
    is_survivor_leader,
    requires_mfa,
    roles_held,
    roles_of,
)
from accounts.services.users import user_set_roles
from consultants.models import Consultant
from network.models import Leadership, Network
from network.services.leaders import LeadershipError, leader_end, leader_name
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def network(db):
    return Network.objects.create(name="Philippine Survivor Network", short_name="PSN")


@pytest.fixture
def tala(make_user):
    return ConsultantFactory(pseudonym="Tala", user=make_user(Role.CONSULTANT))


def _fresh(user: User) -> User:
    """The account as the next request reads it (no cached roles)."""
    return User.objects.get(pk=user.pk)


def _events(leadership: Leadership) -> list[tuple[str, int | None]]:
    return [
        (entry.additional_data["event"], entry.actor_id)
        for entry in LogEntry.objects.get_for_object(leadership).order_by("pk")
        if entry.additional_data and "event" in entry.additional_data
    ]


# --- The role itself -------------------------------------------------------------------------


def test_the_role_is_not_a_staff_role_and_has_no_model_permission():
    from accounts.roles import ROLE_PERMISSIONS

    assert Role.SURVIVOR_LEADER.value == "survivor_leader"
    assert Role.SURVIVOR_LEADER not in STAFF_ROLES
    assert ROLE_PERMISSIONS[Role.SURVIVOR_LEADER] == set()
    assert Group.objects.get(name="survivor_leader").permissions.count() == 0
    assert Role.SURVIVOR_LEADER in ROLE_DESCRIPTIONS


def test_the_leader_persona_is_a_consultant_who_leads(make_user):
    leader = make_survivor_leader(make_user)

    assert roles_of(leader) == {Role.CONSULTANT, Role.SURVIVOR_LEADER}
    assert is_survivor_leader(leader) and is_consultant(leader)
    assert not is_staff_member(leader)
    assert not is_staff_account(leader)
    assert not leader.is_staff and not leader.is_superuser


def test_the_leader_role_alone_gives_nothing(make_user):
    """On an account without the consultant role the group is inert: not a
    leader, not a consultant, not staff; the site answers as to no role."""
    alone = make_user(None)
    user_set_roles(user=alone, roles={Role.SURVIVOR_LEADER})
    alone = _fresh(alone)

    assert roles_held(alone) == {Role.SURVIVOR_LEADER}
    assert has_role(alone, Role.SURVIVOR_LEADER)
    assert not is_survivor_leader(alone)
    assert not is_consultant(alone)
    assert not is_staff_member(alone) and not is_staff_account(alone)
    assert not requires_mfa(alone)
    assert not alone.is_staff

    client = client_for(alone)
    no_role = client_for(make_user(None))
    for path in ("/", "/portal/", "/staff/", "/portal/voice/", "/reports/"):
        hers = client.get(path, follow=True)
        nobodys = no_role.get(path, follow=True)
        assert (hers.status_code, hers.request["PATH_INFO"]) == (
            nobodys.status_code,
            nobodys.request["PATH_INFO"],
        ), path
    # "/": signed in, but no role yet (tests/accounts/test_permission_matrix.py, H).
    home = client.get("/", follow=True)
    assert (home.status_code, home.request["PATH_INFO"]) == (403, "/")
    assert client.get("/portal/").status_code == 403


def test_the_leader_role_beside_a_staff_role_gives_nothing_more(make_user):
    """A programme staff account with the group left on it (by hand) is
    staff, not a leader, and no portal page opens for it."""
    staff = make_user(Role.PROGRAMME_STAFF)
    user_set_roles(user=staff, roles={Role.PROGRAMME_STAFF, Role.SURVIVOR_LEADER})
    staff = _fresh(staff)

    assert not is_survivor_leader(staff)
    assert client_for(staff).get("/portal/").status_code == 403


def test_a_deactivated_leader_holds_no_role(make_user):
    leader = make_survivor_leader(make_user)
    leader.is_active = False
    leader.save(update_fields=["is_active"])

    assert roles_of(_fresh(leader)) == frozenset()
    assert not is_survivor_leader(_fresh(leader))


# --- Naming and ending -----------------------------------------------------------------------


def test_naming_gives_the_role_and_is_audited(network, tala, manager_user):
    assert not is_survivor_leader(_fresh(tala.user))

    leadership = leader_name(network=network, consultant=tala, by=manager_user)

    assert leadership.since == TODAY()
    assert leadership.until is None
    assert leadership.named_by == manager_user
    assert is_survivor_leader(_fresh(tala.user))
    assert roles_held(tala.user) == {Role.CONSULTANT, Role.SURVIVOR_LEADER}
    assert _events(leadership) == [("leader_named", manager_user.pk)]


def test_naming_from_a_day(network, tala, manager_user):
    since = TODAY() - 10 * DAY
    leadership = leader_name(network=network, consultant=tala, by=manager_user, since=since)
    assert Leadership.objects.get(pk=leadership.pk).since == since


def test_ending_takes_the_role_and_is_audited(network, tala, manager_user, admin_user):
    leadership = leader_name(
        network=network, consultant=tala, by=manager_user, since=TODAY() - 5 * DAY
    )

    ended = leader_end(leadership=leadership, by=admin_user)

    assert ended.until == TODAY()
    assert ended.ended_by == admin_user
    assert not is_survivor_leader(_fresh(tala.user))
    assert roles_held(tala.user) == {Role.CONSULTANT}  # still a consultant
    assert _events(leadership) == [
        ("leader_named", manager_user.pk),
        ("leader_ended", admin_user.pk),
    ]
    # Her leader pages close with the record: the portal is a consultant's again.
    assert client_for(_fresh(tala.user)).get("/portal/").status_code == 200


def test_ending_on_the_day_it_began(network, tala, manager_user):
    leadership = leader_name(network=network, consultant=tala, by=manager_user)
    assert leader_end(leadership=leadership, by=manager_user, until=TODAY()).until == TODAY()


@pytest.mark.parametrize(
    "status",
    [Consultant.Status.ONBOARDING, Consultant.Status.ON_BREAK, Consultant.Status.ALUMNI],
)
def test_only_an_active_consultant_is_named(network, make_user, manager_user, status):
    on_break = status == Consultant.Status.ON_BREAK
    consultant = ConsultantFactory(
        user=make_user(Role.CONSULTANT),
        status=status,
        break_until=TODAY() + 30 * DAY if on_break else None,
    )

    with pytest.raises(LeadershipError) as refused:
        leader_name(network=network, consultant=consultant, by=manager_user)

    assert refused.value.messages == ["Only an active consultant can be named a survivor leader."]
    assert not Leadership.objects.exists()
    assert not is_survivor_leader(_fresh(consultant.user))
    assert not LogEntry.objects.filter(additional_data__event="leader_named").exists()


def test_a_consultant_whose_identity_was_erased_is_not_named(network, tala, manager_user):
    Consultant.objects.filter(pk=tala.pk).update(identity_erased_at=timezone.now())
    tala.refresh_from_db()

    with pytest.raises(LeadershipError, match="identity was erased"):
        leader_name(network=network, consultant=tala, by=manager_user)

    assert not Leadership.objects.exists()


def test_a_second_open_leadership_is_refused_with_her_pseudonym(network, tala, manager_user):
    first = leader_name(network=network, consultant=tala, by=manager_user)

    with pytest.raises(LeadershipError) as refused:
        leader_name(network=network, consultant=tala, by=manager_user)

    assert refused.value.messages == ["Tala is already a leader of this network."]
    # The message names her by pseudonym only.
    assert tala.legal_name not in str(refused.value)
    assert list(Leadership.objects.values_list("pk", flat=True)) == [first.pk]
    assert _events(first) == [("leader_named", manager_user.pk)]
    assert is_survivor_leader(_fresh(tala.user))


def test_named_again_after_an_end(network, tala, manager_user):
    first = leader_name(network=network, consultant=tala, by=manager_user, since=TODAY() - DAY)
    leader_end(leadership=first, by=manager_user)

    again = leader_name(network=network, consultant=tala, by=manager_user)

    assert again.pk != first.pk
    assert is_survivor_leader(_fresh(tala.user))


def test_the_role_stays_while_another_leadership_is_open(network, tala, manager_user):
    other_network = Network.objects.create(name="Visayas Survivor Circle")
    here = leader_name(network=network, consultant=tala, by=manager_user)
    there = leader_name(network=other_network, consultant=tala, by=manager_user)

    leader_end(leadership=here, by=manager_user)
    assert is_survivor_leader(_fresh(tala.user))

    leader_end(leadership=there, by=manager_user)
    assert not is_survivor_leader(_fresh(tala.user))


def test_ending_twice_is_refused(network, tala, manager_user):
    leadership = leader_name(network=network, consultant=tala, by=manager_user)
    leader_end(leadership=leadership, by=manager_user)

    with pytest.raises(LeadershipError) as refused:
        leader_end(leadership=leadership, by=manager_user)

    assert refused.value.messages == ["This leadership has already ended."]
    assert [event for event, _actor in _events(leadership)].count("leader_ended") == 1


def test_ending_before_it_began_is_refused(network, tala, manager_user):
    leadership = leader_name(network=network, consultant=tala, by=manager_user)

    with pytest.raises(LeadershipError) as refused:
        leader_end(leadership=leadership, by=manager_user, until=TODAY() - DAY)

    assert refused.value.messages == ["A leadership cannot end before it began."]
    leadership.refresh_from_db()
    assert leadership.until is None and leadership.ended_by is None
    assert is_survivor_leader(_fresh(tala.user))
    assert _events(leadership) == [("leader_named", manager_user.pk)]


def test_the_refusals_are_validation_errors(network, tala, manager_user):
    """Forms and views catch ValidationError: the service's refusals are."""
    assert issubclass(LeadershipError, ValidationError)


def test_a_consultant_without_an_account_is_named_without_a_role(network, manager_user):
    consultant = ConsultantFactory(user=None)

    leadership = leader_name(network=network, consultant=consultant, by=manager_user)
    leader_end(leadership=leadership, by=manager_user)

    assert [event for event, _actor in _events(leadership)] == ["leader_named", "leader_ended"]
    assert not Group.objects.get(name="survivor_leader").user_set.exists()


def test_the_group_follows_only_open_leaderships(network, tala, make_user, manager_user):
    """The group holds exactly the accounts of consultants with an open
    leadership: naming adds hers alone, ending takes it."""
    other = ConsultantFactory(user=make_user(Role.CONSULTANT))
    leadership = leader_name(network=network, consultant=tala, by=manager_user)
    assert set(Group.objects.get(name="survivor_leader").user_set.all()) == {tala.user}
    assert not is_survivor_leader(_fresh(other.user))

    leader_end(leadership=leadership, by=manager_user)
    assert not Group.objects.get(name="survivor_leader").user_set.exists()


# --- The people pages ------------------------------------------------------------------------


def test_the_people_pages_explain_the_role(admin_user):
    for url in (reverse("people:list"), reverse("people:roles", args=[admin_user.pk])):
        page = client_for(admin_user).get(url).content.decode()
        assert str(Role.SURVIVOR_LEADER.label) in page, url
        assert escape(Role.SURVIVOR_LEADER.description) in page, url


def test_the_people_pages_do_not_offer_the_role(admin_user, programme_staff_user):
    """Named from the network's page, not here: no box to tick, no filter."""
    assert "survivor_leader" not in dict(STAFF_ROLE_CHOICES)
    client = client_for(admin_user)
    for url in (
        reverse("people:invite"),
        reverse("people:roles", args=[programme_staff_user.pk]),
        reverse("people:list"),
    ):
        page = client.get(url).content.decode()
        assert 'value="survivor_leader"' not in page, url
        assert 'value="consultant"' not in page, url
    assert 'value="programme_staff"' in client.get(reverse("people:invite")).content.decode()


def test_the_role_cannot_be_given_from_the_people_pages(admin_user, programme_staff_user):
    """A forged POST with the role: refused (400) and nothing changes."""
    client = client_for(admin_user)

    response = client.post(
        reverse("people:roles", args=[programme_staff_user.pk]),
        {"roles": ["programme_staff", "survivor_leader"]},
    )
    assert response.status_code == 400
    assert roles_held(programme_staff_user) == {Role.PROGRAMME_STAFF}

    response = client.post(
        reverse("people:invite"),
        {"email": "lead@example.org", "display_name": "Lead", "roles": ["survivor_leader"]},
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="lead@example.org").exists()


def test_the_filter_ignores_the_role(admin_user):
    response = client_for(admin_user).get(reverse("people:list"), {"role": "survivor_leader"})
    assert response.status_code == 200
