"""Who may do what, per role (the matrix of compensation.access)."""

import pytest

from accounts.roles import Role
from compensation import access
from tests.compensation.factories import PaymentMethodFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "consultant",
    "survivor_leader",  # a consultant who leads the network: a consultant's rights
    "programme_staff",
    "programme_manager",
    "finance_officer",
    "wellbeing_lead",
    "administrator",
    "no_role",
    "anonymous",
]

EXPECTED = {
    # check: roles allowed
    "can_view_finance": {"finance_officer", "administrator"},
    "can_view_finance_totals": {"finance_officer", "administrator", "programme_manager"},
    "can_manage_payments": {"finance_officer", "administrator"},
    "can_manage_rates": {"finance_officer", "administrator", "programme_manager"},
    "can_export_payments": {"finance_officer"},
    "can_request_statement": {"finance_officer", "consultant", "survivor_leader"},
}


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize("check", sorted(EXPECTED))
def test_site_wide_rights(persona, check, request):
    allowed = getattr(access, check)(persona)
    assert allowed == (request.node.callspec.params["persona"] in EXPECTED[check])


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_payment_details_reveal_is_finance_only(persona, request, db):
    from tests.consultants.factories import ConsultantFactory

    method = PaymentMethodFactory(consultant=ConsultantFactory())
    expected = request.node.callspec.params["persona"] == "finance_officer"
    assert access.can_reveal_payment_method(persona, method) is expected


def test_a_consultant_sees_only_their_own_records(
    agreement, consultant_user, other_consultant, owner, make_user
):
    participation = agreement.participation
    assert access.can_view_agreement(consultant_user, participation)
    assert not access.can_view_agreement(other_consultant.user, participation)
    assert access.agreements_visible_to(other_consultant.user).count() == 0
    assert access.can_request_statement_for(consultant_user, participation.consultant)
    assert not access.can_request_statement_for(other_consultant.user, participation.consultant)
    # Staff who do not run the engagement see nothing of it.
    stranger = make_user(Role.PROGRAMME_STAFF)
    assert access.agreements_visible_to(stranger).count() == 0
    assert access.agreements_visible_to(owner).count() == 1
