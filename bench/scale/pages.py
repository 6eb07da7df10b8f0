"""What ``./tinig bench scale`` measures, declared as data.

Pages change while the benchmark stays: each entry is a path (``{name}``
placeholders filled from the seed, see ``targets``), the role that reads
it, and for a staff list the Django admin changelist of the same model. A
page that no longer answers 200 is reported with its status, not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.scale.urls import FLOOR_PATH


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    role: str  # a staff role's value, or "consultant"
    admin: str | None = None  # the admin changelist of the same model
    kind: str = "list"  # list | page | matching | portal | floor

    def url(self, targets: dict[str, object]) -> str:
        return self.path.format(**targets)


MANAGER, FINANCE, ADMIN = "programme_manager", "finance_officer", "administrator"
# What the searches type: every seeded engagement's title and consultant's
# pseudonym holds it (the widest answer: a page of rows and the count of
# all); the bench's staff accounts are named "Bench <role>".
EVERY_ROW, BENCH_STAFF = "Scale", "Bench"

FLOOR = Page("floor (trivial staff view)", FLOOR_PATH, MANAGER, kind="floor")

STAFF_LISTS = [
    Page("staff dashboard", "/staff/", MANAGER, kind="page"),
    Page("people", "/staff/people/", ADMIN, "/admin/accounts/user/"),
    Page("consultant directory", "/staff/consultants/", MANAGER, "/admin/consultants/consultant/"),
    Page("engagement list", "/staff/engagements/", MANAGER, "/admin/engagements/engagement/"),
    Page("calendar (month)", "/staff/engagements/calendar/", MANAGER),
    # Checklist items have no changelist of their own (an inline of the checklist's).
    Page("my tasks", "/staff/checklists/", MANAGER),
    Page(
        "checklist compliance",
        "/staff/checklists/compliance/",
        MANAGER,
        "/admin/checklists/checklist/",
    ),
    Page("reminders log", "/staff/reminders/log/", MANAGER, "/admin/reminders/reminderdelivery/"),
    Page(
        "failed reminders",
        "/staff/reminders/failed/",
        MANAGER,
        "/admin/reminders/reminderdelivery/?status__exact=failed",
    ),
    Page(
        "finance queue", "/staff/compensation/queue/", FINANCE, "/admin/compensation/paymentline/"
    ),
    Page("payments", "/staff/compensation/payments/", FINANCE, "/admin/compensation/payment/"),
    Page("overdue payments", "/staff/compensation/overdue/", FINANCE),
    # Time is approved by whoever runs the engagement (here the manager, their owner).
    Page("approvals", "/staff/compensation/approvals/", MANAGER, "/admin/compensation/timeentry/"),
    Page("compensation totals", "/staff/compensation/totals/", FINANCE, kind="page"),
    Page("compensation index", "/staff/compensation/", FINANCE, kind="page"),
    Page("reports (/reports/)", "/reports/", MANAGER, "/admin/reports/reportjob/"),
    # The survivor network (issue #18): its page (counts) and its peer circles.
    Page("survivor network", "/staff/network/", MANAGER, kind="page"),
    Page("peer circles", "/staff/network/circles/", MANAGER, "/admin/network/peercircle/"),
    # The finance desk (compensation.views.desk): versions, and a search of
    # participations (every one for finance) to propose an agreement for.
    Page(
        "desk: rate cards",
        "/staff/compensation/desk/rates/",
        FINANCE,
        "/admin/compensation/ratecard/",
    ),
    Page(
        "desk: allowance policy",
        "/staff/compensation/desk/allowances/",
        FINANCE,
        "/admin/compensation/allowancepolicy/",
    ),
    Page(
        "desk: agreements (search)",
        f"/staff/compensation/desk/agreements/?q={EVERY_ROW}",
        FINANCE,
        f"/admin/engagements/participation/?q={EVERY_ROW}",
    ),
    # Time and claims recorded on a consultant's behalf: find her participation.
    Page(
        "record for a consultant (search)",
        f"/staff/compensation/record/?q={EVERY_ROW}",
        MANAGER,
        f"/admin/engagements/participation/?q={EVERY_ROW}",
    ),
    # Someone leaving: find them (those holding open items), then what they hold.
    Page(
        "checklist handover (search)",
        f"/staff/checklists/handover/?q={BENCH_STAFF}",
        MANAGER,
        f"/admin/accounts/user/?q={BENCH_STAFF}",
    ),
    Page(
        "checklist handover (one person)",
        "/staff/checklists/handover/?from={handover_person}",
        MANAGER,
        kind="page",
    ),
    # The search endpoint behind every chooser (core.search): JSON, one page.
    Page(
        "search: engagements (JSON)",
        f"/staff/search/brief_engagement/?q={EVERY_ROW}",
        MANAGER,
        f"/admin/engagements/engagement/?q={EVERY_ROW}",
    ),
    Page(
        "search: consultants (JSON)",
        f"/staff/search/brief_consultant/?q={EVERY_ROW}",
        MANAGER,
        f"/admin/consultants/consultant/?q={EVERY_ROW}",
    ),
    Page(
        "search: statement consultant",
        f"/staff/search/statement_consultant/?q={EVERY_ROW}",
        FINANCE,
        f"/admin/consultants/consultant/?q={EVERY_ROW}",
    ),
    # What the consultants' voices changed, for one engagement and one contribution.
    Page(
        "impact (one engagement)", "/staff/impact/engagements/{engagement}/", MANAGER, kind="page"
    ),
    Page(
        "impact: one contribution",
        "/staff/impact/contributions/{contribution}/",
        MANAGER,
        kind="page",
    ),
    Page("consultant detail", "/staff/consultants/{consultant}/", MANAGER, kind="page"),
    # Her skills, steps reached and shared reflections (network, growth): paged.
    Page(
        "consultant skills",
        "/staff/network/consultants/{consultant}/skills/",
        MANAGER,
        kind="page",
    ),
    Page("engagement detail", "/staff/engagements/{engagement}/", MANAGER, kind="page"),
    Page(
        "matching (one engagement)",
        "/staff/engagements/{staffing_engagement}/matching/",
        MANAGER,
        kind="matching",
    ),
]

PORTAL = [
    Page("portal home", "/portal/", "consultant", kind="portal"),
    Page("portal: me", "/portal/me/", "consultant", kind="portal"),
    Page("portal: my details", "/portal/me/details/", "consultant", kind="portal"),
    Page("portal: availability", "/portal/me/availability/", "consultant", kind="portal"),
    Page("portal: consent", "/portal/me/consent/", "consultant", kind="portal"),
    Page("portal: story sharing", "/portal/me/story-sharing/", "consultant", kind="portal"),
    Page("portal: privacy", "/portal/me/privacy/", "consultant", kind="portal"),
    Page("portal: my record", "/portal/me/my-record/", "consultant", kind="portal"),
    Page("portal: engagements", "/portal/engagements/", "consultant", kind="portal"),
    Page("portal: invitations", "/portal/engagements/invitations/", "consultant", kind="portal"),
    Page(
        "portal: one engagement",
        "/portal/engagements/{portal_engagement}/",
        "consultant",
        kind="portal",
    ),
    Page("portal: checklist", "/portal/checklist/", "consultant", kind="portal"),
    Page("portal: reminders", "/portal/reminders/", "consultant", kind="portal"),
    Page("portal: pay", "/portal/pay/", "consultant", kind="portal"),
    Page("portal: time", "/portal/pay/time/", "consultant", kind="portal"),
    Page("portal: claims", "/portal/pay/claims/", "consultant", kind="portal"),
    Page("portal: payments", "/portal/pay/payments/", "consultant", kind="portal"),
    Page("portal: statements", "/portal/pay/statements/", "consultant", kind="portal"),
    Page("portal: what your voice changed", "/portal/voice/", "consultant", kind="portal"),
    Page("portal: how you are growing", "/portal/growth/", "consultant", kind="portal"),
]

PAGES = [FLOOR, *STAFF_LISTS, *PORTAL]


@dataclass(frozen=True)
class Document:
    label: str
    kind: str  # a registered report kind
    role: str


DOCUMENTS = [
    Document("programme report PDF, a year", "programme_report", MANAGER),
    Document("statement PDF, one consultant, a year", "consultant_statement", FINANCE),
    Document("access-log PDF, a year of reveals", "access_log", ADMIN),
]


def targets() -> dict[str, object]:
    """The objects the paths name, picked from the seed the same way at every volume."""
    from django.db.models import F, Subquery
    from django.db.models.functions import Mod

    from bench.scale.seed import (
        ALIGN,
        CONSULTANT_EMAIL,
        ENGAGEMENT_TITLE,
        seed_moment,
        staff_users,
    )
    from engagements.models import Engagement, Participation
    from impact.models import Contribution

    moment = seed_moment()
    hers = Participation.objects.filter(consultant__user__email=CONSULTANT_EMAIL)
    upcoming = hers.filter(engagement__start__gt=moment).order_by("engagement__start")
    portal = (
        _or(upcoming, hers.order_by("-engagement__start"))
        .values_list("engagement_id", flat=True)
        .first()
    )
    # Engagements of the same shape at every volume: index e = pk - first pk
    # a multiple of ALIGN (the seed's statuses, invitations and checklists
    # repeat with e mod 2, 4 and 5), so their pages ask the same questions.
    first = Engagement.objects.filter(title=f"{ENGAGEMENT_TITLE}0").values_list("pk", flat=True)
    aligned = Engagement.objects.alias(index=Mod(F("pk") - Subquery(first[:1]), ALIGN)).filter(
        index=0
    )
    # Matching's target: outside the seed's weekly windows (Monday to
    # Saturday, 08:00-20:00) on a single day, so that at every volume some
    # consultants are excluded only by time and the page asks for the times
    # that would suit them (two more queries) -- the seed's start times
    # drift through the week, so the first aligned one may fall inside.
    # (A volume too small to hold one takes any staffing engagement outside
    # them, then any at all.)
    upcoming_staffing = Engagement.objects.filter(status="staffing", start__gt=moment)
    candidates = [
        list(queryset.order_by("start", "pk").values_list("pk", "start", "end"))
        for queryset in (aligned.filter(status="staffing", start__gt=moment), upcoming_staffing)
    ]
    staffing = next(
        (pk for rows in candidates for pk, start, end in rows if _outside_seed_windows(start, end)),
        next((rows[0][0] for rows in candidates if rows), None),
    )
    # Completed (not closed: the seed closes one in three, e mod 3, which
    # ALIGN does not fix), so its page asks the same questions ("close").
    engagement = (
        _or(
            aligned.filter(start__lt=moment, status="completed"),
            _or(aligned.filter(start__lt=moment), Engagement.objects.filter(start__lt=moment)),
        )
        .order_by("-start")
        .values_list("pk", flat=True)
        .first()
    )
    consultant = (
        Participation.objects.filter(engagement_id=engagement)
        .order_by("pk")
        .values_list("consultant_id", flat=True)
        .first()
    )
    # The engagement's first contribution (the seed gives every fifth past
    # engagement one, so an aligned one has it; else any).
    contribution = (
        _or(Contribution.objects.filter(engagement_id=engagement), Contribution.objects.all())
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "portal_engagement": portal or 0,
        "staffing_engagement": staffing or 0,
        "engagement": engagement or 0,
        "consultant": consultant or 0,
        "contribution": contribution or 0,
        # Programme staff hold the staff items of every seeded checklist.
        "handover_person": staff_users()["programme_staff"].pk,
    }


def _outside_seed_windows(start, end) -> bool:
    """One local day, and not within the seed's windows (Mon-Sat, 08-20)."""
    import datetime

    from django.utils import timezone

    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() != end.date():
        return False
    inside = (
        start.weekday() < 6 and start.time() >= datetime.time(8) and end.time() <= datetime.time(20)
    )
    return not inside


def _or(queryset, fallback):
    return queryset if queryset.exists() else fallback


def document_params(kind: str) -> dict[str, object]:
    """A year up to the seed moment (and for a statement, a busy consultant)."""
    import datetime

    from django.utils import timezone

    from bench.scale.seed import seed_moment

    date_to = timezone.localtime(seed_moment()).date()
    params: dict[str, object] = {
        "date_from": (date_to - datetime.timedelta(days=364)).isoformat(),
        "date_to": date_to.isoformat(),
    }
    if kind == "consultant_statement":
        params["consultant"] = targets()["consultant"]
    return params
