"""Writes of the compensation app, one module per topic:

* ``rates``: rate cards and allowance policies, versions from a date
  (no overlaps, history kept, a version in effect never edited);
* ``agreements``: agreement versions, their acknowledgement, and what a
  participation's change of status does (``participation_changed``);
* ``lines``: the lines that follow the agreement in force (internal);
* ``time_entries`` and ``claims`` (with receipts): what consultants send
  in, approved or rejected the same way (``_common._decide``, ``_reject``);
* ``payment_methods``: accounts, revealed to finance only;
* ``payments``: grouping, approval, marking paid, adjustments; four eyes
  on money (the grouper never approves; the approver does not mark paid
  above ``PAYMENT_TWO_PERSON_ABOVE``), the rule itself in
  ``compensation.workflow``, refused with ``SecondPersonRequired``;
* ``export``: the bank CSV;
* ``network_work``: lines for paid network work outside any participation
  (advisory reviews, peer circle meetings), one per source.

Every public name is importable from here (``from compensation import
services; services.payment_approve(...)``); ``_common`` holds the helpers
the topics share.

Each function is one business action: keyword-only arguments, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, and a
``ValidationError`` with a message a person can act on when the input is
wrong, with nothing saved. Every service checks permission itself
(``compensation.access``) and raises ``PermissionDenied``; views check
first to answer 404/403 properly. ``now`` parameters are the clock, for
tests and demo data; views never pass them.

Money. Amounts are ``Decimal`` pesos with at most two decimals; a third
decimal is refused, never rounded away. A line's amount is computed once,
when its source is approved (time: hours times rate, divided by the hours of its unit, rounded
half up to the centavo); every total after that is a PostgreSQL ``SUM`` of
lines. A payment's total is fixed on approval, and PostgreSQL checks that it
equals the sum of its lines.

Where lines come from:

* an approved time entry: its hours at the agreement's rate (none under a
  fixed honorarium, which is one ``fee`` line on attendance);
* an approved expense claim: its amount;
* the agreement in force (``_sync_agreement_lines``): the advance and the
  allowances paid in advance once the consultant is booked; the fee and the
  other allowances once they attended; a change to an unpaid line rewrites
  it, a change to a paid one is an adjustment line for the difference;
* a late cancellation by the organisation: the agreed minimum;
* an advance, once paid: a negative ``advance_recovery`` line, payable from
  the end of the engagement, so it is netted against the final payment;
* finance: adjustment lines, with a reason (corrections of paid lines).

On time. Each line is payable from the later of the day the work was
complete (the engagement's end; stepping back or a cancellation: that day)
and the day it was entered, and due ``COMPENSATION_TARGET_DAYS_TO_PAY``
days later; what is paid in advance is due the day before the engagement
at the latest. A payment records its days to pay and whether it was paid
by the earliest due date of its lines.
"""

from __future__ import annotations

from compensation.services._common import (
    ENTRY_WINDOW,
    RECORDER_MESSAGE,
    RecorderCannotDecide,
    parse_amount,
    parse_hours,
)
from compensation.services.agreements import (
    AGREEMENT_TERMS,
    NO_AGREEMENT_FOR,
    agreement_acknowledge,
    agreement_change,
    agreement_draft,
    agreement_propose,
    participation_changed,
)
from compensation.services.claims import (
    claim_approve,
    claim_reject,
    claim_submit,
    receipt_add,
    receipt_download_name,
    receipt_open,
    receipt_required,
)
from compensation.services.export import (
    EXPORT_COLUMNS,
    payment_batch_export,
)
from compensation.services.network_work import network_work_line, network_work_line_withdraw
from compensation.services.payment_methods import (
    normalise_account_number,
    payment_method_add,
    payment_method_retire,
    payment_method_reveal,
)
from compensation.services.payments import (
    NothingToPay,
    PaymentAlreadyPaid,
    adjustment_add,
    payment_approve,
    payment_discard,
    payment_group,
    payment_mark_paid,
    payment_remove_line,
    payment_return_to_draft,
)
from compensation.services.rates import (
    allowance_policy_change,
    allowance_policy_create,
    allowance_policy_set,
    rate_card_change,
    rate_card_create,
    rate_lookup,
    version_end,
    version_remove,
)
from compensation.services.time_entries import (
    time_entry_add,
    time_entry_approve,
    time_entry_reject,
)
from compensation.workflow import SecondPersonRequired

__all__ = [
    "AGREEMENT_TERMS",
    "ENTRY_WINDOW",
    "EXPORT_COLUMNS",
    "NO_AGREEMENT_FOR",
    "RECORDER_MESSAGE",
    "NothingToPay",
    "PaymentAlreadyPaid",
    "RecorderCannotDecide",
    "SecondPersonRequired",
    "adjustment_add",
    "agreement_acknowledge",
    "agreement_change",
    "agreement_draft",
    "agreement_propose",
    "allowance_policy_change",
    "allowance_policy_create",
    "allowance_policy_set",
    "claim_approve",
    "claim_reject",
    "claim_submit",
    "network_work_line",
    "network_work_line_withdraw",
    "normalise_account_number",
    "parse_amount",
    "parse_hours",
    "participation_changed",
    "payment_approve",
    "payment_batch_export",
    "payment_discard",
    "payment_group",
    "payment_mark_paid",
    "payment_method_add",
    "payment_method_retire",
    "payment_method_reveal",
    "payment_remove_line",
    "payment_return_to_draft",
    "rate_card_change",
    "rate_card_create",
    "rate_lookup",
    "receipt_add",
    "receipt_download_name",
    "receipt_open",
    "receipt_required",
    "time_entry_add",
    "time_entry_approve",
    "time_entry_reject",
    "version_end",
    "version_remove",
]
