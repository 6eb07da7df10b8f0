"""The payment workflow, in one place: which step a payment may take next,
who may take it, and why not.

::

    approved lines ─group─▶ draft ─approve─▶ approved ─mark_paid─▶ paid
                             │  ▲                │
                     discard │  └return_to_draft─┘
                             ▼
                          (removed; its lines wait again)

Four eyes on money. No one carries a payment from grouped to paid alone:

* the person who grouped a payment (``Payment.created_by``) never approves
  it, whatever its total;
* the person who approved it (``approved_by``) does not mark it paid when
  its total is above ``settings.PAYMENT_TWO_PERSON_ABOVE``: ``0`` (the
  default) means every payment, a zero total included; ``None`` (``off``
  in the environment) turns this second rule off, and the first still
  makes two people of every payment.

So a payment is always grouped and approved by two people, and with the
amount rule on, approved and paid by two people as well (the grouper may
mark it paid). Undoing (back to draft, removing a draft) is open to every
finance officer: it sends no money, and an approval undone must be given
again by someone other than the grouper.

``check()`` is what the services call with the payment's row locked
(``select_for_update``), so two requests at once see each other's step:
the second waits for the first to commit and is judged on what it wrote.
``options()`` asks the same rules for the pages, which offer a step only
to a person it allows and say why to the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from compensation import access
from compensation.models import Payment
from core.templatetags.money import peso

S = Payment.Status


class SecondPersonRequired(ValidationError):
    """The step is refused because this person took the step before it
    (four eyes on money)."""


def two_person_threshold() -> Decimal | None:
    """``settings.PAYMENT_TWO_PERSON_ABOVE`` as a Decimal, or None when the
    amount rule is off. A negative amount counts as 0 (every payment)."""
    value = getattr(settings, "PAYMENT_TWO_PERSON_ABOVE", Decimal("0"))
    if value is None:
        return None
    return max(Decimal(str(value)), Decimal("0"))


def approver_may_not_pay(total: Decimal) -> bool:
    """Whether a payment of this total is marked paid by someone other than
    the person who approved it."""
    threshold = two_person_threshold()
    if threshold is None:
        return False
    return threshold == 0 or total > threshold


def _not_the_grouper(payment: Payment, user: AnyUser) -> str | None:
    if payment.created_by_id is not None and payment.created_by_id == user.pk:
        return _("You grouped this payment, so someone else approves it.")
    return None


def _not_the_approver(payment: Payment, user: AnyUser) -> str | None:
    if payment.approved_by_id is None or payment.approved_by_id != user.pk:
        return None
    if not approver_may_not_pay(payment.total):
        return None
    threshold = two_person_threshold()
    if not threshold:
        return _("You approved this payment, so someone else marks it paid.")
    return _(
        "You approved this payment, and a payment above %(amount)s is marked paid by someone else."
    ) % {"amount": peso(threshold)}


def _status_label(payment: Payment) -> str:
    return str(payment.get_status_display())


@dataclass(frozen=True)
class Step:
    """One step: the statuses it starts from, what is said when the payment
    is in another, and the four-eyes rule that may refuse the person."""

    name: str
    starts_from: frozenset[str]
    wrong_status: Callable[[Payment], str | Promise]
    code: str
    second_person: Callable[[Payment, AnyUser], str | None] | None = None


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "approve",
            frozenset({S.DRAFT}),
            lambda payment: (
                _("This payment is “%(s)s”; only a draft is approved.")
                % {"s": _status_label(payment)}
            ),
            "not_draft",
            _not_the_grouper,
        ),
        Step(
            "mark_paid",
            frozenset({S.APPROVED}),
            lambda payment: (
                _("This payment is already paid.")
                if payment.status == S.PAID
                else _("Approve the payment before marking it paid.")
            ),
            "not_approved",
            _not_the_approver,
        ),
        Step(
            "return_to_draft",
            frozenset({S.APPROVED}),
            lambda payment: _("Only an approved, unpaid payment goes back to draft."),
            "not_approved",
        ),
        Step(
            "discard",
            frozenset({S.DRAFT}),
            lambda payment: _("Only a draft payment can be removed."),
            "not_draft",
        ),
        Step(
            "change_lines",
            frozenset({S.DRAFT}),
            lambda payment: _("Only a draft payment can be changed."),
            "not_draft",
        ),
    )
}


@dataclass(frozen=True)
class Option:
    """What a page needs to know about one step for one person: whether it
    applies now (the payment is in a status it starts from and the person
    manages payments), whether this person may take it, and if not, why
    (the payment's status, or four eyes; nothing for a person who does not
    manage payments at all)."""

    name: str
    applies: bool
    allowed: bool
    reason: str = ""


def check(*, payment: Payment, step: str, by: AnyUser) -> None:
    """Refuse the step (a ``ValidationError`` with the reason, or
    ``SecondPersonRequired``) unless the payment is in a status it starts
    from and the four-eyes rule lets ``by`` take it. Called by the services
    with the payment's row locked; permission is theirs to check first."""
    rule = STEPS[step]
    if payment.status not in rule.starts_from:
        raise ValidationError(str(rule.wrong_status(payment)), code=rule.code)
    if rule.second_person is not None:
        reason = rule.second_person(payment, by)
        if reason:
            raise SecondPersonRequired(reason, code="second_person")


def options(*, payment: Payment, user: AnyUser) -> dict[str, Option]:
    """Every step, as the pages show it: offered to the person the rules
    allow, explained to a finance officer they refuse."""
    manages = access.can_manage_payments(user)
    result = {}
    for name, rule in STEPS.items():
        applies = manages and payment.status in rule.starts_from
        reason = ""
        if manages and not applies:
            reason = str(rule.wrong_status(payment))
        elif applies and rule.second_person is not None:
            reason = rule.second_person(payment, user) or ""
        result[name] = Option(
            name=name, applies=applies, allowed=applies and not reason, reason=reason
        )
    return result


def rule_summary() -> str:
    """The four-eyes rule as it is set, in one sentence for the pages."""
    threshold = two_person_threshold()
    if threshold is None:
        return _("The person who grouped a payment does not approve it.")
    if threshold == 0:
        return _(
            "The person who grouped a payment does not approve it, and the person "
            "who approved it does not mark it paid."
        )
    return _(
        "The person who grouped a payment does not approve it, and above %(amount)s "
        "the person who approved it does not mark it paid."
    ) % {"amount": peso(threshold)}
