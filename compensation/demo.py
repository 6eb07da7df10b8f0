"""Demo compensation: rates, allowances, agreements, time, claims and
payments for the demo engagements. Invented; never real data.

Loaded by ``manage.py seed_demo`` after the demo engagements (core's
``DEMO_APPS`` order: accounts, consultants, engagements, checklists,
compensation). Idempotent: each part is created only when missing.
Everything goes through the services, with the clock set to when it would
have happened, so the finance pages show every case:

* paid on time: Amihan, "Programme co-design review" (5 days after);
* paid late: Bituin, the same engagement (12 days after);
* approved, not paid, overdue: Amihan, "Training design session";
* waiting in the queue, overdue: Tala's time before stepping back;
* waiting, not yet due: allowances in advance for "Committee hearing
  preparation"; Amihan's advance for it is paid, and its netting waits
  for the end of the engagement;
* a claim with a receipt waiting for approval (Bituin, lodging).

Four eyes on money: Fe Finance groups each payment and marks it paid,
Admin Demo approves it (the grouper never approves; the approver does
not mark paid). So Fe can pay the approved one, and the admin cannot.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# Per role: (unit, amount). The same for every engagement type in the demo.
DEMO_RATES = {
    "speaker": ("fixed", Decimal("5000.00")),
    "panelist": ("half_day", Decimal("2000.00")),
    "adviser": ("hour", Decimal("500.00")),
    "co_author": ("hour", Decimal("500.00")),
    "reviewer": ("hour", Decimal("450.00")),
    "participant": ("hour", Decimal("400.00")),
}
# kind: (default, in advance, in person only, receipt required above)
DEMO_ALLOWANCES = {
    "meal": (Decimal("350.00"), True, False, None),
    "transport": (Decimal("500.00"), True, True, None),
    "communication": (Decimal("300.00"), True, False, None),
    "lodging": (Decimal("2500.00"), False, True, Decimal("0.00")),
}
# A tiny, valid PDF standing for a photographed receipt.
DEMO_RECEIPT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _rates(finance, created: list[str]) -> None:
    from compensation import services
    from compensation.models import AllowancePolicy, RateCard
    from engagements.models import EngagementType

    since = timezone.localdate() - datetime.timedelta(days=730)
    for engagement_type in EngagementType.values:
        for role, (unit, amount) in DEMO_RATES.items():
            if RateCard.objects.filter(engagement_type=engagement_type, role=role).exists():
                continue
            services.rate_card_create(
                engagement_type=engagement_type,
                role=role,
                unit=unit,
                amount=amount,
                effective_from=since,
                by=finance,
                note="DEMO rate",
            )
            created.append(f"rate {engagement_type}/{role}")
    for kind, (amount, advance, in_person, receipt_above) in DEMO_ALLOWANCES.items():
        if AllowancePolicy.objects.filter(kind=kind).exists():
            continue
        services.allowance_policy_set(
            kind=kind,
            by=finance,
            default_amount=amount,
            paid_in_advance=advance,
            in_person_only=in_person,
            receipt_required_above=receipt_above,
            effective_from=since,
        )
        created.append(f"allowance {kind}")


def _acceptor(participation, owner):
    """Who answered for the consultant: themselves (portal) or staff by phone."""
    user = participation.consultant.user
    return (user, False) if user is not None else (owner, True)


def _agreements(created: list[str]) -> None:
    from compensation import services
    from compensation.models import Agreement
    from engagements.models import Participation

    P = Participation.Status
    participations = (
        Participation.objects.filter(engagement__title__in=_TITLES)
        .exclude(status__in=[P.DECLINED, P.REVOKED])
        .select_related("engagement__owner", "consultant__user")
        .order_by("pk")
    )
    for participation in participations:
        if Agreement.objects.filter(participation=participation).exists():
            continue
        owner = participation.engagement.owner
        terms = {}
        if (
            participation.engagement.title == "Committee hearing preparation"
            and participation.consultant.pseudonym == "Amihan"
        ):
            terms["advance_amount"] = Decimal("1500.00")
        agreement = services.agreement_propose(
            participation=participation, by=owner, terms=terms, now=participation.invited_at
        )
        created.append(f"agreement {participation.pk}")
        if participation.responded_at is None or participation.decline_reason:
            continue  # still an invitation (or cancelled before an answer)
        if participation.status == P.INVITED:
            continue
        user, on_behalf = _acceptor(participation, owner)
        services.agreement_acknowledge(
            agreement=agreement, by=user, on_behalf=on_behalf, now=participation.responded_at
        )


_TITLES = [
    "Peer-support circle",
    "Committee hearing preparation",
    "Training design session",
    "Programme co-design review",
]


def _approver(participation, entered_by, users):
    """Someone who runs the engagement and did not enter the item."""
    owner = participation.engagement.owner
    for candidate in (owner, users["manager@example.org"], users["admin@example.org"]):
        if candidate.pk != entered_by.pk:
            return candidate
    raise RuntimeError("no approver")


def _time_and_claims(users, created: list[str]) -> None:
    from compensation import services
    from compensation.models import ExpenseClaim, TimeEntry
    from engagements.models import Participation

    P = Participation.Status
    done = Participation.objects.filter(
        engagement__title__in=_TITLES, status__in=[P.ATTENDED, P.WITHDRAWN]
    ).select_related("engagement__owner", "consultant__user")
    for participation in done.order_by("pk"):
        if TimeEntry.objects.filter(participation=participation).exists():
            continue
        engagement = participation.engagement
        owner = engagement.owner
        user, on_behalf = _acceptor(participation, owner)
        approver = _approver(participation, user, users)
        day = timezone.localtime(engagement.start).date()
        if participation.status == P.WITHDRAWN:
            rows = [("preparation", day - 2 * DAY, participation.hours_given or Decimal("1.50"))]
            entered = participation.withdrawn_at
        else:
            rows = [
                ("preparation", day - 2 * DAY, Decimal("2.00")),
                ("engagement", day, Decimal("2.50")),
                ("debrief", day, Decimal("1.00")),
            ]
            entered = engagement.end + HOUR
        for kind, date, hours in rows:
            entry = services.time_entry_add(
                participation=participation,
                by=user,
                on_behalf=on_behalf,
                kind=kind,
                date=date,
                hours=hours,
                note="DEMO",
                now=entered,
            )
            services.time_entry_approve(entry=entry, by=approver, now=entered + DAY)
        created.append(f"time {participation.pk}")

    for pseudonym, category, amount, receipt, approve in [
        ("Amihan", "transport", Decimal("420.00"), False, True),
        ("Bituin", "lodging", Decimal("1800.00"), True, False),
    ]:
        participation = (
            Participation.objects.filter(
                engagement__title="Programme co-design review", consultant__pseudonym=pseudonym
            )
            .select_related("engagement__owner", "consultant__user")
            .first()
        )
        if (
            participation is None
            or ExpenseClaim.objects.filter(participation=participation).exists()
        ):
            continue
        owner = participation.engagement.owner
        user, on_behalf = _acceptor(participation, owner)
        submitted = participation.engagement.end + 2 * HOUR
        claim = services.claim_submit(
            participation=participation,
            by=user,
            on_behalf=on_behalf,
            category=category,
            description="DEMO. Taxi home after the evening session."
            if category == "transport"
            else "DEMO. One night at the venue's guest house.",
            amount=amount,
            incurred_on=timezone.localtime(participation.engagement.start).date(),
            receipts=[ContentFile(DEMO_RECEIPT_PDF, name="receipt.pdf")] if receipt else [],
            now=submitted,
        )
        if approve:
            approver = _approver(participation, user, users)
            services.claim_approve(claim=claim, by=approver, now=submitted + DAY)
        created.append(f"claim {pseudonym}")


def _methods(finance, created: list[str]) -> None:
    from compensation import services
    from compensation.models import PaymentMethod
    from consultants.models import Consultant

    for pseudonym, kind, provider, number in [
        ("Amihan", "e_wallet", "GCash", "0917 555 0101"),
        ("Bituin", "bank", "DEMO Bank", "0012-3456-7890"),
    ]:
        consultant = Consultant.objects.filter(pseudonym=pseudonym).first()
        if consultant is None or PaymentMethod.objects.filter(consultant=consultant).exists():
            continue
        services.payment_method_add(
            consultant=consultant,
            by=finance,
            kind=kind,
            provider=provider,
            account_name=f"DEMO ACCOUNT HOLDER {pseudonym.upper()}",
            account_number=number,
        )
        created.append(f"payment method {pseudonym}")


def _pay(finance, approver, created: list[str]) -> None:
    from compensation import services
    from compensation.models import PaymentLine

    def lines(title, pseudonym, **filters):
        return list(
            PaymentLine.objects.filter(
                participation__engagement__title=title,
                consultant__pseudonym=pseudonym,
                payment__isnull=True,
                **filters,
            ).select_related("participation__engagement", "consultant")
        )

    # (title, pseudonym, which lines, when paid): "before": what was payable
    # before the engagement, paid 3 days before it; a number: the rest, paid
    # that many days after the end; None: approved, not paid; "now": paid now.
    cases = [
        ("Programme co-design review", "Amihan", "before", -3),
        ("Programme co-design review", "Amihan", "after", 5),
        ("Programme co-design review", "Bituin", "before", -3),
        ("Programme co-design review", "Bituin", "after", 12),
        ("Training design session", "Amihan", "all", None),
        ("Committee hearing preparation", "Amihan", "advance", "now"),
    ]
    for title, pseudonym, which, when in cases:
        chosen = lines(title, pseudonym)
        if not chosen:
            continue
        engagement = chosen[0].participation.engagement
        start_day = timezone.localtime(engagement.start).date()
        if which == "before":
            chosen = [line for line in chosen if line.payable_since < start_day]
        elif which == "after":
            chosen = [line for line in chosen if line.payable_since >= start_day]
        elif which == "advance":
            chosen = [line for line in chosen if line.kind == "advance"]
        if not chosen:
            continue
        consultant = chosen[0].consultant
        if when == "now":
            paid_at = timezone.now()
        elif when is None:
            paid_at = None
        elif when < 0:
            paid_at = engagement.start + DAY * when
        else:
            paid_at = engagement.end + DAY * when
        latest = max(line.created_at for line in chosen)
        prepared = max(latest, (paid_at or engagement.end + 2 * DAY) - 2 * HOUR)
        payment = services.payment_group(
            consultant=consultant, by=finance, lines=chosen, now=prepared
        )
        payment = services.payment_approve(
            payment=payment, by=approver, now=prepared + 30 * datetime.timedelta(minutes=1)
        )
        if paid_at is not None:
            paid_at = max(paid_at, prepared + HOUR)
            method = payment.method or "cash"
            services.payment_mark_paid(
                payment=payment,
                by=finance,
                method=method,
                reference="" if method == "cash" else f"DEMO-REF-{payment.pk:05d}",
                paid_at=paid_at,
                now=paid_at,
            )
        created.append(f"payment {pseudonym}: {title} ({which})")


def seed() -> list[str]:
    """Create the demo compensation records that are missing; returns labels."""
    from accounts.models import User
    from engagements.models import Engagement

    wanted = ["finance@example.org", "manager@example.org", "admin@example.org"]
    users = {u.email: u for u in User.objects.filter(email__in=wanted)}
    if len(users) < len(wanted):
        raise RuntimeError("Load the demo sign-ins first (accounts.demo.seed).")
    if not Engagement.objects.filter(title__in=_TITLES).exists():
        raise RuntimeError("Load the demo engagements first (engagements.demo.seed).")
    finance = users["finance@example.org"]
    created: list[str] = []
    _rates(finance, created)
    _agreements(created)
    _time_and_claims(users, created)
    _methods(finance, created)
    _pay(finance, users["admin@example.org"], created)
    return created
