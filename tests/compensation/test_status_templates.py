"""The payment and claim pages ask the record what its status means
(``is_draft``, ``is_approved``, ``is_paid``, ``is_decided``) or the payment
workflow what may happen next (``compensation.workflow.options``), and
offer, for every status, the words and buttons they offered when they
compared status strings (here to a finance officer who took no step of
the payment yet)."""

import pytest

from accounts.roles import Role
from compensation import workflow
from compensation.models import Decision, ExpenseClaim, Payment
from consultants.models import Consultant
from tests.accounts.factories import UserFactory
from tests.rendering import render_page

S = Payment.Status

# Per status: (shows the approved total, approve, mark paid, remove draft, back to draft).
PAYMENT_PAGE = {
    S.DRAFT: (False, True, False, True, False),
    S.APPROVED: (True, False, True, False, True),
    S.PAID: (True, False, False, False, False),
}
DISCARD_WORDS = {
    S.DRAFT: "Remove this draft? Its lines wait to be grouped again.",
    S.APPROVED: "Undo the approval? The payment becomes a draft again. Nothing was paid.",
}


def _payment(status: str) -> Payment:
    return Payment(
        pk=4,
        status=status,
        consultant=Consultant(pseudonym="Tala"),
        created_by=UserFactory.build(pk=990001, display_name="Grouper"),
    )


def test_every_status_is_covered():
    assert set(PAYMENT_PAGE) == set(S)


@pytest.mark.parametrize("status", list(S))
def test_payment_page(db, status):
    officer = UserFactory(role=Role.FINANCE_OFFICER)
    payment = _payment(status)
    html = render_page(
        "compensation/staff/payment.html",
        {
            "payment": payment,
            "can_manage": True,
            "steps": workflow.options(payment=payment, user=officer),
            "title": "Payment #4",
        },
        user=officer,
    )
    found = (
        "Approved total</dt>" in html,
        'href="/staff/compensation/payments/4/approve/">Approve…</a>' in html,
        "Mark paid…</a>" in html,
        "Remove the draft…</a>" in html,
        "Back to draft…</a>" in html,
    )
    assert found == PAYMENT_PAGE[status]


@pytest.mark.parametrize("status", list(S))
def test_payment_discard_page(db, status):
    """It asks for the step the payment can take; a paid payment is never
    undone, so its page says so and offers no button."""
    officer = UserFactory(role=Role.FINANCE_OFFICER)
    payment = _payment(status)
    steps = workflow.options(payment=payment, user=officer)
    html = render_page(
        "compensation/staff/payment_discard.html",
        {
            "payment": payment,
            "title": "Undo",
            "step": steps["return_to_draft" if status == S.APPROVED else "discard"],
        },
        user=officer,
    )
    for key, words in DISCARD_WORDS.items():
        assert (f"<p>{words}</p>" in html) == (key == status)
    assert ("Undo</button>" in html) == (status in DISCARD_WORDS)
    assert ("This payment is already paid." in html) == (status == S.PAID)


@pytest.mark.parametrize("status", list(Decision))
def test_claim_page_says_who_decides_while_undecided(db, status):
    html = render_page(
        "compensation/staff/claim.html",
        {"claim": ExpenseClaim(pk=6, status=status), "can_decide": False, "title": "Claim"},
        user=UserFactory(),
    )
    assert ("Someone else who runs this engagement decides this claim." in html) == (
        status == Decision.SUBMITTED
    )
