"""The scale seed: a programme at the volumes of issue #16, or a fraction.

Seeded once per database by COPY (bench/scale/copy.py), then reused while
the seed version and the volume stored in ``bench_scale_seed`` match;
anything else (an older version, a seed cut short) and the database is
dropped and seeded again. The seed moment (the hour it was made) is stored
with it: every date is placed around it, so a reused seed looks the same
on every run (three years of past engagements, one year to come).

Layout, per engagement ``e`` (one every span/E minutes, one hour long):
two participations, consultant ``(2e + k) % C`` (so a consultant's
engagements are C/2 apart and never overlap), five time entries each, a
fee line for most past participations (the newest unpaid: the finance
queue; the rest paid in payments of two lines of one consultant), a
checklist from the published template on a share of the engagements spread
over the whole span (``CHECKLIST_RESIDUES``), and reminder deliveries (two
offsets per participation). Every fifth past engagement has a contribution
from its consultants (every tenth one with an outcome), every twentieth a
co-created work crediting them (so the pages of an aligned engagement show
all three at every volume). Rate cards (a version a year per engagement
type and role) and allowance policies (a version a year per kind) are the
same at every volume. Consultant 0 is the portal user ("the consultant").
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass
from decimal import Decimal

SEED_VERSION = 2  # 2: contributions, outcomes and works (impact); rate cards and allowances
META_TABLE = "bench_scale_seed"

FULL = {
    "consultants": 10_000,
    "engagements": 100_000,
    "participations": 200_000,
    "time_entries": 1_000_000,
    "payment_lines": 100_000,
    "checklist_items": 950_000,
    "reminder_deliveries": 400_000,
    "access_entries": 5_000,
}
# The fewest a seed may have: ten consultants keep the double-booking
# constraint happy (a consultant's engagements are C/2 apart).
FLOOR = {"consultants": 10, "engagements": 10, "access_entries": 50}
PAST_SHARE = 0.75  # three years past, one to come
SPAN_DAYS = 4 * 365
UNPAID_SHARE = 0.087  # the newest lines wait in the finance queue
STAFF_EMAIL = "bench-{role}@example.org"
CONSULTANT_EMAIL = "bench-consultant@example.org"
ENGAGEMENT_TITLE = "Scale engagement "
ALIGN = 20  # statuses, invitations, checklists and impact repeat with e mod ALIGN
# Which engagements (e mod ALIGN) have a checklist, in the order they are
# taken: 0 first (the aligned engagements the pages read), then spread out.
CHECKLIST_RESIDUES = (0, 10, 5, 15, 3, 13, 8, 18, 1, 11, 6, 16, 2, 12, 7, 17, 4, 14, 9, 19)
NAMES = [f"Invented Person {n}" for n in range(50)]  # encrypted once each


@dataclass(frozen=True)
class Volume:
    divisor: int

    def count(self, name: str) -> int:
        return max(FLOOR.get(name, 1), FULL[name] // self.divisor)

    @property
    def label(self) -> str:
        return {1: "large", 100: "small", 10_000: "tiny"}.get(self.divisor, f"1/{self.divisor}")

    def describe(self) -> str:
        return ", ".join(f"{self.count(name):,} {name.replace('_', ' ')}" for name in FULL)


# --- The stored seed ------------------------------------------------------------


def stored_seed(cursor) -> dict[str, str]:
    """What the database says about its seed (empty: none, or none finished)."""
    cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
    if cursor.fetchone()[0] is None:
        return {}
    cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608 (a constant)
    return dict(cursor.fetchall())


def matches(stored: dict[str, str], volume: Volume) -> bool:
    return (
        stored.get("version") == str(SEED_VERSION)
        and stored.get("divisor") == str(volume.divisor)
        and stored.get("complete") == "yes"
    )


def seed_moment() -> datetime.datetime:
    """The stored seed moment of this database (the hour the seed was made)."""
    from django.db import connection

    with connection.cursor() as cursor:
        value = stored_seed(cursor).get("moment")
    if not value:
        raise RuntimeError("this database holds no finished scale seed")
    return datetime.datetime.fromisoformat(value)


def _store(cursor, values: dict[str, str]) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text)")
    for key, value in values.items():
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608 (a constant)
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, value],
        )


# --- Seeding --------------------------------------------------------------------


def staff_users() -> dict[str, object]:
    """One user per staff role (MFA set up), created when missing."""
    from accounts.models import User
    from accounts.roles import Role
    from tests.accounts.factories import UserFactory

    users = {}
    for role in Role:
        if role == Role.CONSULTANT:
            continue
        email = STAFF_EMAIL.format(role=role.value)
        users[role.value] = User.objects.filter(email=email).first() or UserFactory(
            email=email, display_name=f"Bench {role.label}", role=role, mfa=True
        )
    return users


def consultant_user():
    from accounts.models import User
    from accounts.roles import Role
    from tests.accounts.factories import UserFactory

    return User.objects.filter(email=CONSULTANT_EMAIL).first() or UserFactory(
        email=CONSULTANT_EMAIL, display_name="Bench consultant", role=Role.CONSULTANT
    )


def _consent_texts(admin) -> dict[str, int]:
    """A published text for each scope the seed records (made when missing)."""
    from django.utils import timezone

    from consultants.models import ConsentText, ConsentTextTranslation

    texts = {}
    for scope in ("participation", "data_processing", "quoting"):
        text = (
            ConsentText.objects.filter(scope=scope, published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if text is None:
            version = ConsentText.objects.filter(scope=scope).order_by("-version").first() or None
            text = ConsentText.objects.create(
                scope=scope,
                version=(version.version + 1) if version else 1,
                body=f"I agree ({scope}).",
            )
            ConsentTextTranslation.objects.create(
                text=text, language="fil", body=f"Pumapayag ako ({scope})."
            )
            ConsentText.objects.filter(pk=text.pk).update(published_at=timezone.now())
        texts[scope] = text.pk
    return texts


def seed(volume: Volume) -> float:
    """Seed this (freshly migrated) database at ``volume``; returns seconds."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    moment = timezone.now().replace(minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        _store(
            cursor,
            {
                "version": str(SEED_VERSION),
                "divisor": str(volume.divisor),
                "moment": moment.isoformat(),
                "complete": "no",
            },
        )
    print(f"bench scale: seeding the {volume.label} volume ({volume.describe()})", flush=True)
    Seeder(volume, moment).run()
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            print("  vacuum analyze", flush=True)
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        _store(cursor, {"complete": "yes", "seconds": f"{seconds:.1f}"})
    print(f"bench scale: seeded in {seconds:.0f} s", flush=True)
    return seconds


class Seeder:
    def __init__(self, volume: Volume, moment: datetime.datetime):
        self.volume = volume
        self.moment = moment
        self.C = volume.count("consultants")
        self.E = volume.count("engagements")
        self.P_PER_E = max(1, volume.count("participations") // self.E)
        self.step = datetime.timedelta(minutes=SPAN_DAYS * 24 * 60 / self.E)
        self.first_start = moment - datetime.timedelta(days=SPAN_DAYS * PAST_SHARE)

    def start_of(self, e: int) -> datetime.datetime:
        return self.first_start + self.step * e

    def consultant_of(self, e: int, k: int) -> int:
        return self.consultant_ids[(self.P_PER_E * e + k) % self.C]

    def loader(self, model, columns):
        from bench.scale.copy import Loader

        return Loader(model, columns, moment=self.moment)

    def run(self) -> None:
        self.users = staff_users()
        self.portal_user = consultant_user()
        self.admin = self.users["administrator"]
        self.manager = self.users["programme_manager"]
        self.finance = self.users["finance_officer"]
        self.seed_consultants()
        self.seed_engagements()
        self.seed_time_and_pay()
        self.seed_rates()
        self.seed_checklists()
        self.seed_impact()
        self.seed_reminders()
        self.seed_audit()

    # Consultants, their availability, expertise and consent.
    def seed_consultants(self) -> None:
        from bench.scale.copy import next_id, reset_sequence
        from consultants.models import (
            ConsentRecord,
            Consultant,
            ExpertiseTopic,
            Language,
            Region,
            WeeklyAvailability,
        )

        first = next_id(Consultant)
        self.consultant_ids = list(range(first, first + self.C))
        languages = [code for code, _label in Language.choices]
        regions = [code for code, _label in Region.choices]
        today = self.moment.date()

        def rows():
            for n, pk in enumerate(self.consultant_ids):
                status = "on_break" if n % 20 == 7 else ("alumni" if n % 25 == 3 else "active")
                name = NAMES[n % len(NAMES)]
                yield (
                    pk,
                    self.portal_user.pk if n == 0 else None,
                    f"Scale{n:05d}",
                    name,
                    f"person{n % 50}@example.net",
                    f"+6391700000{n % 50:02d}",
                    [languages[n % 2]],
                    [languages[n % 2], languages[2 + n % 5]],
                    regions[n % len(regions)],
                    "employed",
                    3,
                    status,
                    today + datetime.timedelta(days=30) if status == "on_break" else None,
                    today - datetime.timedelta(days=30 + n % 900),
                )

        self.loader(
            Consultant,
            [
                "id",
                "user_id",
                "pseudonym",
                "legal_name",
                "email",
                "phone",
                "preferred_languages",
                "spoken_languages",
                "region",
                "occupation_status",
                "monthly_engagement_limit",
                "status",
                "break_until",
                "joined_on",
            ],
        ).load(rows(), total=self.C, label="consultants")
        reset_sequence(Consultant)

        topics = list(ExpertiseTopic.objects.values_list("pk", flat=True))
        Through = Consultant.expertise.through
        if topics:
            self.loader(Through, ["consultant_id", "expertisetopic_id"]).load(
                (
                    (pk, topics[(n + k) % len(topics)])
                    for n, pk in enumerate(self.consultant_ids)
                    for k in range(min(2, len(topics)))
                ),
                total=self.C * min(2, len(topics)),
                label="expertise",
            )
        self.loader(
            WeeklyAvailability, ["consultant_id", "weekday", "start_time", "end_time"]
        ).load(
            (
                (pk, weekday, datetime.time(8), datetime.time(20))
                for pk in self.consultant_ids
                for weekday in range(6)
            ),
            total=self.C * 6,
            label="weekly availability",
        )
        texts = _consent_texts(self.admin)
        self.loader(
            ConsentRecord,
            [
                "consultant_id",
                "scope",
                "action",
                "consent_text_id",
                "text_language",
                "recorded_at",
                "recorded_by_id",
            ],
        ).load(
            (
                (
                    pk,
                    scope,
                    "granted",
                    text,
                    "en",
                    self.moment - datetime.timedelta(days=400),
                    self.admin.pk,
                )
                for pk in self.consultant_ids
                for scope, text in texts.items()
            ),
            total=self.C * len(texts),
            label="consent records",
        )

    # Engagements and participations.
    def seed_engagements(self) -> None:
        from bench.scale.copy import next_id, reset_sequence
        from engagements.models import Engagement, EngagementType, Participation

        types = [code for code, _label in EngagementType.choices]
        first = next_id(Engagement)
        self.engagement_ids = list(range(first, first + self.E))
        self.past = [
            self.start_of(e) + datetime.timedelta(hours=1) <= self.moment for e in range(self.E)
        ]

        def status(e: int) -> str:
            if self.past[e]:
                return "completed" if e % 3 else "closed"
            return "staffing" if e % 4 == 0 else "confirmed"

        def rows():
            for e, pk in enumerate(self.engagement_ids):
                start = self.start_of(e)
                yield (
                    pk,
                    f"{ENGAGEMENT_TITLE}{e}",
                    "Hear survivors on the programme.",
                    types[e % len(types)],
                    self.manager.pk,
                    start,
                    start + datetime.timedelta(hours=1),
                    "online",
                    "https://meet.example.org/scale",
                    "internal",
                    self.P_PER_E + (1 if e % 4 == 0 else 0),
                    ["fil"],
                    status(e),
                )

        self.loader(
            Engagement,
            [
                "id",
                "title",
                "purpose",
                "type",
                "owner_id",
                "start",
                "end",
                "mode",
                "online_link",
                "audience",
                "consultants_wanted",
                "languages",
                "status",
            ],
        ).load(rows(), total=self.E, label="engagements")
        reset_sequence(Engagement)

        first = next_id(Participation)
        self.participations = []  # (pk, e, consultant_id)
        roles = ["speaker", "panelist", "adviser", "participant"]

        def participation_rows():
            pk = first
            for e, engagement in enumerate(self.engagement_ids):
                start = self.start_of(e)
                end = start + datetime.timedelta(hours=1)
                period = f'["{start.isoformat()}","{end.isoformat()}")'
                for k in range(self.P_PER_E):
                    consultant = self.consultant_of(e, k)
                    if self.past[e]:
                        state = "attended"
                    else:
                        state = "invited" if (e + k) % 5 == 0 else "confirmed"
                    self.participations.append((pk, e, consultant))
                    yield (
                        pk,
                        engagement,
                        consultant,
                        roles[(e + k) % len(roles)],
                        state,
                        period,
                        "nothing",
                        self.manager.pk,
                        start - datetime.timedelta(days=14),
                        start - datetime.timedelta(days=10) if state != "invited" else None,
                    )
                    pk += 1

        self.loader(
            Participation,
            [
                "id",
                "engagement_id",
                "consultant_id",
                "role",
                "status",
                "period",
                "story_sharing",
                "invited_by_id",
                "invited_at",
                "responded_at",
            ],
        ).load(participation_rows(), total=self.E * self.P_PER_E, label="participations")
        reset_sequence(Participation)

    # Time entries, payment lines and payments.
    def seed_time_and_pay(self) -> None:
        from bench.scale.copy import next_id, reset_sequence
        from compensation.models import Payment, PaymentLine, TimeEntry

        count = self.volume.count("time_entries")
        per = max(1, math.ceil(count / len(self.participations)))
        kinds = ["preparation", "travel", "engagement", "debrief", "engagement"]
        recent = self.moment - datetime.timedelta(days=14)

        def time_rows():
            made = 0
            for pk, e, consultant in self.participations:
                start = self.start_of(e)
                submitted = start > recent
                for k in range(per):
                    if made >= count:
                        return
                    made += 1
                    yield (
                        pk,
                        consultant,
                        kinds[k % len(kinds)],
                        start.date(),
                        Decimal("1.50"),
                        "approved" if not submitted else "submitted",
                        None if submitted else self.finance.pk,
                        None if submitted else start + datetime.timedelta(days=2),
                        self.manager.pk,
                        start + datetime.timedelta(days=1),
                    )

        self.loader(
            TimeEntry,
            [
                "participation_id",
                "consultant_id",
                "kind",
                "date",
                "hours",
                "status",
                "decided_by_id",
                "decided_at",
                "entered_by_id",
                "entered_at",
            ],
        ).load(time_rows(), total=count, label="time entries")
        reset_sequence(TimeEntry)

        # Fee lines for past participations, spread evenly over the past.
        past = [item for item in self.participations if self.past[item[1]]]
        lines_wanted = min(self.volume.count("payment_lines"), len(past))
        chosen = [past[i * len(past) // lines_wanted] for i in range(lines_wanted)]
        paid_count = int(lines_wanted * (1 - UNPAID_SHARE))
        line_first = next_id(PaymentLine)
        payment_first = next_id(Payment)
        amount = Decimal("1500.00")
        # Payments: each consultant's paid lines, two at a time, oldest first.
        by_consultant: dict[int, list[int]] = {}
        for index in range(paid_count):
            by_consultant.setdefault(chosen[index][2], []).append(index)
        payment_of: dict[int, int] = {}
        payments = []  # (pk, consultant, [line indexes])
        for consultant, indexes in by_consultant.items():
            for offset in range(0, len(indexes), 2):
                group = indexes[offset : offset + 2]
                pk = payment_first + len(payments)
                payments.append((pk, consultant, group))
                for index in group:
                    payment_of[index] = pk
        payments.sort(key=lambda item: item[2][-1])
        newest = len(payments) - max(1, len(payments) // 50)  # the newest 2%: approved, unpaid

        def payment_rows():
            for position, (pk, consultant, group) in enumerate(payments):
                last = self.start_of(chosen[group[-1]][1]).date()
                due = last + datetime.timedelta(days=30)
                approved_at = datetime.datetime.combine(
                    last + datetime.timedelta(days=5), datetime.time(3), tzinfo=datetime.UTC
                )
                paid = position < newest
                paid_at = approved_at + datetime.timedelta(days=3 + position % 40)
                yield (
                    pk,
                    consultant,
                    "paid" if paid else "approved",
                    amount * len(group),
                    last,
                    due,
                    "bank",
                    f"BENCH-{pk}" if paid else "",
                    self.finance.pk,
                    approved_at - datetime.timedelta(days=1),
                    self.admin.pk,
                    approved_at,
                    self.finance.pk if paid else None,
                    paid_at if paid else None,
                    (paid_at.date() - last).days if paid else None,
                    (paid_at.date() <= due) if paid else None,
                )

        self.loader(
            Payment,
            [
                "id",
                "consultant_id",
                "status",
                "total",
                "payable_since",
                "due_on",
                "method",
                "reference",
                "created_by_id",
                "created_at",
                "approved_by_id",
                "approved_at",
                "paid_by_id",
                "paid_at",
                "days_to_pay",
                "on_time",
            ],
        ).load(payment_rows(), total=len(payments), label="payments")
        reset_sequence(Payment)

        def line_rows():
            for index, (participation, e, consultant) in enumerate(chosen):
                day = self.start_of(e).date()
                yield (
                    line_first + index,
                    consultant,
                    participation,
                    "fee",
                    "Fee",
                    amount,
                    payment_of.get(index),
                    day,
                    day + datetime.timedelta(days=30),
                    self.finance.pk,
                )

        self.loader(
            PaymentLine,
            [
                "id",
                "consultant_id",
                "participation_id",
                "kind",
                "description",
                "amount",
                "payment_id",
                "payable_since",
                "due_on",
                "created_by_id",
            ],
        ).load(line_rows(), total=len(chosen), label="payment lines")
        reset_sequence(PaymentLine)

    # The finance desk's versions: a year each, over the seed's four years.
    def seed_rates(self) -> None:
        from compensation.models import AllowanceKind, AllowancePolicy, RateCard, RateUnit
        from engagements.models import EngagementType, ParticipationRole

        years = math.ceil(SPAN_DAYS / 365)
        first_day = self.first_start.date()

        def periods():
            for year in range(years):
                start = first_day + datetime.timedelta(days=365 * year)
                end = start + datetime.timedelta(days=364) if year < years - 1 else None
                yield year, start, end

        units = [code for code, _label in RateUnit.choices]
        pairs = [
            (engagement_type, role)
            for engagement_type, _label in EngagementType.choices
            for role, _label in ParticipationRole.choices
        ]
        self.loader(
            RateCard,
            [
                "engagement_type",
                "role",
                "unit",
                "amount",
                "effective_from",
                "effective_to",
                "created_by_id",
                "created_at",
            ],
        ).load(
            (
                (
                    engagement_type,
                    role,
                    units[n % len(units)],
                    Decimal(1500 + 100 * year),
                    start,
                    end,
                    self.finance.pk,
                    self.first_start,
                )
                for n, (engagement_type, role) in enumerate(pairs)
                for year, start, end in periods()
            ),
            total=len(pairs) * years,
            label="rate cards",
        )
        kinds = [code for code, _label in AllowanceKind.choices]
        self.loader(
            AllowancePolicy,
            [
                "kind",
                "default_amount",
                "in_person_only",
                "receipt_required_above",
                "effective_from",
                "effective_to",
                "created_by_id",
            ],
        ).load(
            (
                (
                    kind,
                    Decimal(200 + 20 * year),
                    kind in ("transport", "lodging"),
                    Decimal("500.00") if kind != "communication" else None,
                    start,
                    end,
                    self.finance.pk,
                )
                for kind in kinds
                for year, start, end in periods()
            ),
            total=len(kinds) * years,
            label="allowance policies",
        )

    # Checklists from the newest published template, on every other engagement.
    def seed_checklists(self) -> None:
        from django.db import connection

        from bench.scale.copy import next_id, reset_sequence
        from checklists import tally
        from checklists.models import Checklist, ChecklistItem, ChecklistTemplate

        template = (
            ChecklistTemplate.objects.filter(published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if template is None:
            print("  no published checklist template: no checklists seeded", flush=True)
            return
        items = list(template.items.order_by("order", "pk"))
        per = sum(self.P_PER_E if item.owner_role == "consultant" else 1 for item in items)
        wanted = min(self.E, max(1, self.volume.count("checklist_items") // max(per, 1)))
        # Spread over the whole span (past and to come), the same engagements
        # at every volume (e mod ALIGN): about the share the items allow.
        residues = CHECKLIST_RESIDUES[: max(1, round(ALIGN * wanted / self.E))]
        chosen = [e for e in range(self.E) if e % ALIGN in residues][:wanted]
        first = next_id(Checklist)
        self.loader(Checklist, ["id", "engagement_id", "template_id"]).load(
            ((first + n, self.engagement_ids[e], template.pk) for n, e in enumerate(chosen)),
            total=len(chosen),
            label="checklists",
        )
        reset_sequence(Checklist)
        assignees = {
            "programme_staff": self.users["programme_staff"].pk,
            "programme_manager": self.manager.pk,
            "finance_officer": self.finance.pk,
            "wellbeing_lead": self.users["wellbeing_lead"].pk,
        }

        def rows():
            for n, e in enumerate(chosen):
                start = self.start_of(e)
                for item in items:
                    anchor = (
                        start if item.due_anchor == "start" else start + datetime.timedelta(hours=1)
                    )
                    due = anchor + datetime.timedelta(days=item.due_offset_days)
                    done = due < self.moment - datetime.timedelta(days=3) or (
                        self.past[e] and n % 7
                    )
                    people = (
                        [self.consultant_of(e, k) for k in range(self.P_PER_E)]
                        if item.owner_role == "consultant"
                        else [None]
                    )
                    for consultant in people:
                        yield (
                            first + n,
                            item.pk,
                            item.key,
                            item.stage,
                            item.title,
                            item.title_fil,
                            item.guidance,
                            item.guidance_fil,
                            item.owner_role,
                            item.due_anchor,
                            item.due_offset_days,
                            item.evidence,
                            item.waivable,
                            item.gates,
                            item.order,
                            due,
                            assignees.get(item.owner_role),
                            consultant,
                            "done" if done else "open",
                            (assignees.get(item.owner_role) or self.manager.pk) if done else None,
                            due if done else None,
                        )

        # Loaded with the tally trigger off (one upsert a done item would
        # double the seed's time), then every tally counted at once.
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE checklists_checklistitem DISABLE TRIGGER {tally.TRIGGER}")
        self.loader(
            ChecklistItem,
            [
                "checklist_id",
                "source_id",
                "key",
                "stage",
                "title",
                "title_fil",
                "guidance",
                "guidance_fil",
                "owner_role",
                "due_anchor",
                "due_offset_days",
                "evidence",
                "waivable",
                "gates",
                "order",
                "due_at",
                "assignee_id",
                "consultant_id",
                "status",
                "done_by_id",
                "done_at",
            ],
        ).load(rows(), total=len(chosen) * per, label="checklist items")
        reset_sequence(ChecklistItem)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE checklists_checklistitem ENABLE TRIGGER {tally.TRIGGER}")
            tally.rebuild(cursor)

    # Reminder deliveries: "engagement upcoming", two offsets per participation.
    def seed_reminders(self) -> None:
        from bench.scale.copy import reset_sequence
        from reminders.models import ReminderDelivery

        count = self.volume.count("reminder_deliveries")
        offsets = [72, 24, 168, 48, 12, 6]
        per = max(1, min(len(offsets), math.ceil(count / len(self.participations))))
        # One in 500 failed (the failed list has rows at every volume, a
        # tenth of them at the smallest).
        every_failed = max(2, min(500, count // 10))

        def rows():
            made = 0
            for pk, e, consultant in self.participations:
                start = self.start_of(e)
                for k in range(per):
                    if made >= count:
                        return
                    made += 1
                    due = start - datetime.timedelta(hours=offsets[k])
                    done = due <= self.moment
                    failed = made % every_failed == 0
                    status = ("failed" if failed else "sent") if done else "pending"
                    yield (
                        "engagement_upcoming",
                        "engagements.participation",
                        pk,
                        consultant,
                        due,
                        due,
                        self.engagement_ids[e],
                        "email",
                        status,
                        1 if done else 0,
                        "bench: mail server said no" if status == "failed" else "",
                        due if done else None,
                        due + datetime.timedelta(minutes=1) if done else None,
                    )

        self.loader(
            ReminderDelivery,
            [
                "kind",
                "target_type",
                "target_id",
                "consultant_id",
                "due_at",
                "send_after",
                "engagement_id",
                "channel",
                "status",
                "attempts",
                "last_error",
                "dispatched_at",
                "finished_at",
            ],
        ).load(rows(), total=count, label="reminder deliveries")
        reset_sequence(ReminderDelivery)

    # Reveals (audit access entries) over the last year, as the access log reads them.
    def seed_audit(self) -> None:
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        from consultants.models import Consultant

        count = self.volume.count("access_entries")
        content_type = ContentType.objects.get_for_model(Consultant)
        start = self.moment - datetime.timedelta(days=360)
        step = datetime.timedelta(days=355) / count

        def rows():
            for n in range(count):
                pk = self.consultant_ids[n % self.C]
                yield (
                    content_type.pk,
                    str(pk),
                    pk,
                    f"Scale{(n % self.C):05d}",
                    LogEntry.Action.ACCESS,
                    self.admin.pk,
                    "192.0.2.10",
                    {},
                    {"fields": ["legal_name", "phone"], "reason": f"bench call {n}"},
                    start + step * n,
                )

        self.loader(
            LogEntry,
            [
                "content_type_id",
                "object_pk",
                "object_id",
                "object_repr",
                "action",
                "actor_id",
                "remote_addr",
                "changes",
                "additional_data",
                "timestamp",
            ],
        ).load(rows(), total=count, label="access entries")

    # What the consultants' voices changed: a contribution on every fifth past
    # engagement (from its consultants), an outcome on every tenth, and a
    # co-created work on every twentieth (``ALIGN``) crediting its consultants.
    def seed_impact(self) -> None:
        from bench.scale.copy import next_id, reset_sequence
        from impact.models import Contribution, Outcome, OutcomeStatus, Work, WorkCredit

        kinds = [code for code, _label in Contribution.Kind.choices]
        decided = [
            OutcomeStatus.ADOPTED,
            OutcomeStatus.UNDER_CONSIDERATION,
            OutcomeStatus.PARTLY_ADOPTED,
            OutcomeStatus.NOT_ADOPTED,
        ]
        chosen = [e for e in range(0, self.E, 5) if self.past[e]]
        first = next_id(Contribution)
        ids = {e: first + n for n, e in enumerate(chosen)}

        def recorded(e: int) -> datetime.datetime:
            return self.start_of(e) + datetime.timedelta(days=2)

        def outcome_of(e: int) -> str | None:
            return decided[(e // 10) % len(decided)] if e % 10 == 0 else None

        self.loader(
            Contribution,
            [
                "id",
                "engagement_id",
                "kind",
                "summary",
                "status",
                "status_changed_at",
                "created_by_id",
                "created_at",
            ],
        ).load(
            (
                (
                    ids[e],
                    self.engagement_ids[e],
                    kinds[(e // 5) % len(kinds)],
                    "Ask survivors before changing the intake form; offer a support person.",
                    outcome_of(e) or OutcomeStatus.UNKNOWN,
                    recorded(e) + datetime.timedelta(days=30) if outcome_of(e) else None,
                    self.manager.pk,
                    recorded(e),
                )
                for e in chosen
            ),
            total=len(chosen),
            label="contributions",
        )
        reset_sequence(Contribution)
        Through = Contribution.consultants.through
        self.loader(Through, ["contribution_id", "consultant_id"]).load(
            ((ids[e], self.consultant_of(e, k)) for e in chosen for k in range(self.P_PER_E)),
            total=len(chosen) * self.P_PER_E,
            label="contribution consultants",
        )
        with_outcome = [e for e in chosen if outcome_of(e)]
        self.loader(
            Outcome,
            [
                "contribution_id",
                "status",
                "decided_on",
                "shared_note",
                "recorded_by_id",
                "recorded_at",
            ],
        ).load(
            (
                (
                    ids[e],
                    outcome_of(e),
                    (recorded(e) + datetime.timedelta(days=30)).date(),
                    "The partner wrote back: thank you for your advice.",
                    self.manager.pk,
                    recorded(e) + datetime.timedelta(days=30),
                )
                for e in with_outcome
            ),
            total=len(with_outcome),
            label="outcomes",
        )
        reset_sequence(Outcome)

        made = [e for e in chosen if e % ALIGN == 0]
        work_first = next_id(Work)
        work_kinds = [code for code, _label in Work.Kind.choices]
        self.loader(
            Work, ["id", "title", "kind", "published_on", "partners", "created_by_id", "created_at"]
        ).load(
            (
                (
                    work_first + n,
                    f"Scale work {e}",
                    work_kinds[n % len(work_kinds)],
                    (recorded(e) + datetime.timedelta(days=60)).date(),
                    "Partner agency",
                    self.manager.pk,
                    recorded(e) + datetime.timedelta(days=60),
                )
                for n, e in enumerate(made)
            ),
            total=len(made),
            label="works",
        )
        reset_sequence(Work)
        self.loader(Work.engagements.through, ["work_id", "engagement_id"]).load(
            ((work_first + n, self.engagement_ids[e]) for n, e in enumerate(made)),
            total=len(made),
            label="work engagements",
        )
        credit_as = [code for code, _label in WorkCredit.CreditAs.choices]
        self.loader(WorkCredit, ["work_id", "consultant_id", "credit_as"]).load(
            (
                (work_first + n, self.consultant_of(e, k), credit_as[(n + k) % len(credit_as)])
                for n, e in enumerate(made)
                for k in range(self.P_PER_E)
            ),
            total=len(made) * self.P_PER_E,
            label="work credits",
        )
        reset_sequence(WorkCredit)
