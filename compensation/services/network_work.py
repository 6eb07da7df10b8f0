"""Lines for paid work done for the survivor network outside any
participation: an advisory review, attending a paid peer circle meeting.

The network app decides what is owed and when (a review given, attendance
marked); this module only writes the line. Each line names its source
(``source_key``, e.g. ``"review:12"``), and PostgreSQL keeps one line per
source, so asking twice (a double click, a retried task) owes once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation.models import Payment, PaymentLine
from compensation.services._common import (
    _due,
    _refuse,
    _save,
    _today,
    in_her_language,
    parse_amount,
)
from consultants.models import Consultant

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@transaction.atomic
def network_work_line(
    *,
    consultant: Consultant,
    amount: Decimal,
    description: StrOrPromise | Callable[[], str],
    source_key: str,
    by: User | None,
    now: datetime.datetime | None = None,
) -> PaymentLine | None:
    """The line owed for one piece of network work; the existing one when
    its source already has a line. Nothing at zero (unpaid work).

    ``description`` is a lazy string, or a callable for words with a date
    in them: either is made in her language, like every other line, not in
    the language of whoever marked the work (staff's, often English)."""
    if not source_key:
        _refuse(_("A network line needs its source."), field="source_key")
    amount = parse_amount(amount)
    existing = PaymentLine.objects.filter(source_key=source_key).first()
    if existing is not None or amount == 0:
        return existing
    now = now or timezone.now()
    since = _today(now)
    with in_her_language(consultant.pk):
        words = description() if callable(description) else str(description)
    line = PaymentLine(
        consultant=consultant,
        kind=PaymentLine.Kind.NETWORK,
        description=words[:200],
        amount=amount,
        source_key=source_key,
        payable_since=since,
        due_on=_due(since),
        created_by=by,
        created_at=now,
    )
    try:
        with transaction.atomic():
            _save(line)
    except IntegrityError:  # the same source, written at the same moment
        return PaymentLine.objects.get(source_key=source_key)
    return line


@transaction.atomic
def network_work_line_withdraw(*, source_key: str) -> bool:
    """Remove the unpaid line of a source (attendance corrected to absent).
    A line already in an approved or paid payment stays: money that left
    is corrected by finance with an adjustment, never silently. True when a
    line was removed."""
    line = (
        PaymentLine.objects.select_for_update(of=("self",))
        .select_related("payment")
        .filter(source_key=source_key)
        .first()
    )
    if line is None:
        return False
    if line.payment is not None and line.payment.status != Payment.Status.DRAFT:
        _refuse(
            _("This line is already in an approved payment; ask finance for an adjustment."),
            code="line_in_payment",
        )
    line.delete()
    return True
