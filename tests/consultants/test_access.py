"""The permission matrix of consultants/access.py, against every persona.

``consultant`` (Bituin) is the record under test; each persona below stands
for one access level. "granted staff" is programme staff on an engagement
of Bituin (object permissions view + reveal), "view-only staff" holds the
view grant only, "assigned wellbeing" is Bituin's wellbeing lead, "leader"
is another consultant named a survivor leader (the role opens nothing of
Bituin's).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Role, is_survivor_leader
from consultants import access
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import name_survivor_leader

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "other_consultant",
    "leader",
    "staff",
    "view_only_staff",
    "granted_staff",
    "manager",
    "finance",
    "wellbeing",
    "assigned_wellbeing",
    "admin",
    "superuser",
]


@pytest.fixture
def as_persona(request, make_user, consultant):
    def build(name):
        if name == "anonymous":
            return None
        if name == "no_role":
            return make_user(None)
        if name == "other_consultant":
            user = make_user(Role.CONSULTANT)
            ConsultantFactory(user=user)
            return user
        if name == "leader":
            return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
        if name == "staff":
            return make_user(Role.PROGRAMME_STAFF)
        if name == "view_only_staff":
            user = make_user(Role.PROGRAMME_STAFF)
            access.grant_consultant_view(user, consultant)
            return user
        if name == "granted_staff":
            user = make_user(Role.PROGRAMME_STAFF)
            access.grant_consultant_view(user, consultant)
            access.grant_identity_reveal(user, consultant)
            return user
        if name == "manager":
            return make_user(Role.PROGRAMME_MANAGER)
        if name == "finance":
            return make_user(Role.FINANCE_OFFICER)
        if name == "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        if name == "assigned_wellbeing":
            user = make_user(Role.WELLBEING_LEAD)
            access.grant_wellbeing(user, consultant)
            return user
        if name == "admin":
            return make_user(Role.ADMINISTRATOR)
        if name == "superuser":
            return make_user(None, is_superuser=True)
        raise AssertionError(name)

    return build


def _expect(allowed: set[str]):
    return [pytest.param(name, name in allowed, id=name) for name in PERSONAS]


SEES = {
    "view_only_staff",
    "granted_staff",
    "manager",
    "finance",
    "assigned_wellbeing",
    "admin",
    "superuser",
}
CHANGES = {"manager", "admin", "superuser"}
REVEALS = {"granted_staff", "manager", "assigned_wellbeing", "admin", "superuser"}
READS_WELLBEING = {"assigned_wellbeing", "admin", "superuser"}
ADMINS = {"admin", "superuser"}


@pytest.mark.parametrize(("name", "allowed"), _expect(SEES))
def test_who_sees_the_consultant(as_persona, consultant, name, allowed):
    user = as_persona(name)
    assert (consultant in access.consultants_visible_to(user)) is allowed
    if allowed:
        assert access.consultant_for_user(user, consultant.pk) == consultant
    else:
        with pytest.raises(Http404):
            access.consultant_for_user(user, consultant.pk)


@pytest.mark.parametrize(("name", "allowed"), _expect(CHANGES))
def test_who_may_change_the_profile_404_before_403(as_persona, consultant, name, allowed):
    user = as_persona(name)
    assert access.can_edit_profile(user, consultant) is allowed
    if allowed:
        assert access.consultant_for_user_to_change(user, consultant.pk) == consultant
    elif name in SEES:
        with pytest.raises(PermissionDenied):
            access.consultant_for_user_to_change(user, consultant.pk)
    else:
        with pytest.raises(Http404):
            access.consultant_for_user_to_change(user, consultant.pk)


@pytest.mark.parametrize(("name", "allowed"), _expect(REVEALS))
def test_who_may_reveal_identity(as_persona, consultant, name, allowed):
    assert access.can_reveal_identity(as_persona(name), consultant) is allowed


@pytest.mark.parametrize(("name", "allowed"), _expect(READS_WELLBEING))
def test_who_may_read_wellbeing_notes(as_persona, consultant, name, allowed):
    assert access.can_read_wellbeing(as_persona(name), consultant) is allowed


@pytest.mark.parametrize(("name", "allowed"), _expect(CHANGES))
def test_who_may_invite_assign_and_change_status(as_persona, consultant, name, allowed):
    user = as_persona(name)
    assert access.can_invite_to_portal(user, consultant) is allowed
    assert access.can_assign_wellbeing_lead(user, consultant) is allowed
    assert access.can_change_status(user, consultant) is allowed
    assert access.can_manage_availability(user, consultant) is allowed
    assert access.can_record_consent(user, consultant) is allowed


@pytest.mark.parametrize(("name", "allowed"), _expect(ADMINS))
def test_who_may_export_and_erase(as_persona, consultant, name, allowed):
    user = as_persona(name)
    assert access.can_export(user, consultant) is allowed
    assert access.can_erase_identity(user, consultant) is allowed


@pytest.mark.parametrize(("name", "allowed"), _expect(SEES))
def test_who_sees_consent_state(as_persona, consultant, name, allowed):
    assert access.can_view_consent(as_persona(name), consultant) is allowed


# --- The consultant and their own record -----------------------------------------------


def test_consultant_reaches_only_their_own_record(consultant_user, own_consultant, consultant):
    assert access.consultant_of(consultant_user) == own_consultant
    assert list(access.consultants_visible_to(consultant_user)) == [own_consultant]
    assert access.consultant_for_user(consultant_user, own_consultant.pk) == own_consultant
    with pytest.raises(Http404):
        access.consultant_for_user(consultant_user, consultant.pk)
    with pytest.raises(Http404):
        access.consultant_for_user(consultant_user, "not-a-number")
    # Their own: manage availability, consent, break, export. Never a "reveal".
    assert access.can_manage_availability(consultant_user, own_consultant)
    assert access.can_record_consent(consultant_user, own_consultant)
    assert access.can_change_status(consultant_user, own_consultant)
    assert access.can_export(consultant_user, own_consultant)
    assert access.can_view_consent(consultant_user, own_consultant)
    assert not access.can_reveal_identity(consultant_user, own_consultant)
    assert not access.can_edit_profile(consultant_user, own_consultant)
    assert not access.can_read_wellbeing(consultant_user, own_consultant)
    assert not access.can_erase_identity(consultant_user, own_consultant)


def test_a_survivor_leader_reaches_only_her_own_record(make_user, consultant):
    own = ConsultantFactory(user=make_user(Role.CONSULTANT))
    leader = name_survivor_leader(own)

    assert is_survivor_leader(leader)
    assert access.consultant_of(leader) == own
    assert list(access.consultants_visible_to(leader)) == [own]
    with pytest.raises(Http404):
        access.consultant_for_user(leader, consultant.pk)
    # Leading the network adds nothing to what she may do with a record.
    for record in (own, consultant):
        assert not access.can_reveal_identity(leader, record)
        assert not access.can_edit_profile(leader, record)
        assert not access.can_read_wellbeing(leader, record)
        assert not access.can_erase_identity(leader, record)
    assert not access.can_view_consent(leader, consultant)
    assert not access.can_export(leader, consultant)


def test_consultant_without_a_profile_has_none(consultant_user):
    assert access.consultant_of(consultant_user) is None
    assert not access.consultants_visible_to(consultant_user).exists()


def test_staff_member_is_not_a_consultant(manager_user, own_consultant):
    assert access.consultant_of(manager_user) is None


def test_deactivated_users_see_nothing(make_user, consultant, own_consultant, consultant_user):
    admin = make_user(Role.ADMINISTRATOR)
    access.grant_wellbeing(lead := make_user(Role.WELLBEING_LEAD), consultant)
    for user in (admin, lead, consultant_user):
        user.is_active = False
        user.save()
        assert not access.consultants_visible_to(user).exists()
        assert not access.can_reveal_identity(user, consultant)
        assert not access.can_read_wellbeing(user, consultant)
    assert access.consultant_of(consultant_user) is None


def test_object_grant_without_the_role_counts_for_nothing(make_user, consultant):
    """A grant left behind on someone who changed role does not open anything."""
    user = make_user(Role.FINANCE_OFFICER)
    access.grant_identity_reveal(user, consultant)
    access.grant_wellbeing(user, consultant)
    assert not access.can_reveal_identity(user, consultant)
    assert not access.can_read_wellbeing(user, consultant)


def test_grants_are_per_consultant(granted_staff_user, assigned_wellbeing_user, consultant):
    other = ConsultantFactory()
    for user in (granted_staff_user, assigned_wellbeing_user):
        assert list(access.consultants_visible_to(user)) == [consultant]
        assert not access.can_reveal_identity(user, other)
        with pytest.raises(Http404):
            access.consultant_for_user(user, other.pk)
    assert not access.can_read_wellbeing(assigned_wellbeing_user, other)


def test_revoking_a_grant_closes_access(granted_staff_user, consultant):
    access.revoke_identity_reveal(granted_staff_user, consultant)
    assert not access.can_reveal_identity(granted_staff_user, consultant)
    access.revoke_consultant_view(granted_staff_user, consultant)
    assert not access.consultants_visible_to(granted_staff_user).exists()


def test_evidence_follows_reveal_and_self(
    own_consultant, consultant_user, manager_user, finance_user, published_texts
):
    from consultants import services
    from consultants.models import ConsentScope

    record = services.consent_grant(
        consultant=own_consultant, scope=ConsentScope.PHOTO, by=consultant_user
    )
    assert access.can_view_consent_evidence(consultant_user, record)
    assert access.can_view_consent_evidence(manager_user, record)
    assert not access.can_view_consent_evidence(finance_user, record)


def test_statuses_a_consultant_may_set_themselves(consultant_user, own_consultant, manager_user):
    from consultants.models import Consultant

    assert access.statuses_user_may_set(consultant_user, own_consultant) == {"on_break"}
    assert access.statuses_user_may_set(manager_user, own_consultant) == {"on_break", "alumni"}
    own_consultant.status = Consultant.Status.ON_BREAK
    assert access.statuses_user_may_set(consultant_user, own_consultant) == {"on_break", "active"}
    own_consultant.status = Consultant.Status.ONBOARDING
    assert access.statuses_user_may_set(consultant_user, own_consultant) == frozenset()


@pytest.mark.parametrize(("name", "allowed"), _expect(set()))
def test_nobody_else_sets_a_status(as_persona, consultant, name, allowed):
    user = as_persona(name)
    if name in CHANGES:
        assert access.statuses_user_may_set(user, consultant) == {"on_break", "alumni"}
    else:
        assert access.statuses_user_may_set(user, consultant) == frozenset()
