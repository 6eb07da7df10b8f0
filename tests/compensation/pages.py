"""A world for the page tests: one consultant (``own_consultant``, the
``consultant_user``) on a past engagement run by ``owner``, with a time
entry and a claim (with a receipt) waiting, entered by the consultant, and
an approved payment into a default account (grouped by ``finance``,
approved by ``approving_finance``: four eyes); another consultant with a
claim of their own."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.roles import Role
from compensation import services
from compensation.models import ExpenseClaim, Payment, PaymentMethod, Receipt, TimeEntry
from engagements.models import Participation
from tests.compensation.factories import JPEG, PDF, PaymentMethodFactory, upload
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import approved_time, past_engagement


@dataclass
class World:
    owner: object
    approver: object
    finance: object
    approving_finance: object
    consultant_user: object
    participation: Participation
    agreement: object
    entry: TimeEntry
    claim: ExpenseClaim
    receipt: Receipt
    method: PaymentMethod
    payment: Payment
    other_user: object
    other_claim: ExpenseClaim
    other_receipt: Receipt

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.participation.engagement.start).date()


def build_world(*, owner, participation, agreement, make_user) -> World:
    approver = make_user(Role.PROGRAMME_MANAGER)
    finance = make_user(Role.FINANCE_OFFICER)
    approving_finance = make_user(Role.FINANCE_OFFICER)
    consultant = participation.consultant
    user = consultant.user
    day = timezone.localtime(participation.engagement.start).date()
    method = PaymentMethodFactory(consultant=consultant, is_default=True, created_by=finance)
    approved_time(participation, by=owner, approver=approver, hours="2.00", day=day)
    payment = services.payment_group(consultant=consultant, by=finance)
    payment = services.payment_approve(payment=payment, by=approving_finance)
    entry = services.time_entry_add(
        participation=participation, by=user, kind="preparation", date=day, hours="1.50"
    )
    claim = services.claim_submit(
        participation=participation,
        by=user,
        category="meal",
        description="Lunch on the way",
        amount="150.00",
        incurred_on=day,
        receipts=[upload(JPEG, "lunch.jpg")],
    )
    other_user = make_user(Role.CONSULTANT)
    other = ConsultantFactory(user=other_user, pseudonym="Bituin")
    other_participation = ParticipationFactory(
        engagement=past_engagement(owner),
        consultant=other,
        status=Participation.Status.ATTENDED,
        role="participant",
    )
    other_claim = services.claim_submit(
        participation=other_participation,
        by=other_user,
        category="other",
        description="Printing",
        amount="80.00",
        incurred_on=timezone.localtime(other_participation.engagement.start).date(),
        receipts=[upload(PDF, "print.pdf")],
    )
    return World(
        owner=owner,
        approver=approver,
        finance=finance,
        approving_finance=approving_finance,
        consultant_user=user,
        participation=participation,
        agreement=agreement,
        entry=entry,
        claim=claim,
        receipt=claim.receipts.get(),
        method=method,
        payment=payment,
        other_user=other_user,
        other_claim=other_claim,
        other_receipt=other_claim.receipts.get(),
    )
