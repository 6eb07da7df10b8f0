"""Demo consultants. Invented people with obviously invented names; never real data.

Loaded by `manage.py seed_demo` after the demo sign-ins (accounts.demo).
Idempotent by pseudonym: a consultant who exists is left as is. The demo
consultant sign-in (consultant@example.org) is Amihan; the demo wellbeing
lead (wellbeing@example.org) is assigned to some of them. Everything goes
through the services, so the history (status changes, consent records,
audit entries) looks like real use.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models.functions import Lower
from django.utils import timezone

from consultants.models import (
    BusyPeriod,
    ConsentScope,
    Consultant,
    ExpertiseTopic,
    Language,
    Region,
)

S = Consultant.Status
SCOPES = ConsentScope
EVERYDAY = [SCOPES.PARTICIPATION, SCOPES.DATA_PROCESSING]

# scope: (English, Filipino). Migration 0008 knows these too, and gave
# their Filipino to databases seeded before Tinig spoke it.
DEMO_CONSENT_TEXTS = {
    SCOPES.PARTICIPATION: (
        "DEMO TEXT. I agree to take part in Tinig's programme as a paid "
        "consultant. I can stop at any time without giving a reason.",
        "DEMO TEXT. Pumapayag akong sumali sa programa ng Tinig bilang bayad na "
        "consultant. Puwede akong tumigil kahit kailan, kahit walang dahilan.",
    ),
    SCOPES.DATA_PROCESSING: (
        "DEMO TEXT. I agree that Tinig keeps the details I give, encrypted, "
        "to arrange and pay my work. I can ask to see them or to have them erased.",
        "DEMO TEXT. Pumapayag akong itago ng Tinig, naka-encrypt, ang mga detalyeng "
        "ibinibigay ko, para maisaayos at mabayaran ang trabaho ko. Puwede kong hilinging "
        "makita ang mga ito o ipabura.",
    ),
    SCOPES.PHOTO: (
        "DEMO TEXT. I agree to be photographed at events, in ways that do not show "
        "my face unless I say so each time.",
        "DEMO TEXT. Pumapayag akong makunan ng litrato sa mga event, sa paraang hindi "
        "kita ang mukha ko, maliban kung sabihin kong puwede, sa bawat pagkakataon.",
    ),
    SCOPES.VIDEO: (
        "DEMO TEXT. I agree to be filmed at events, in ways that do not show my "
        "face unless I say so each time.",
        "DEMO TEXT. Pumapayag akong makunan ng video sa mga event, sa paraang hindi "
        "kita ang mukha ko, maliban kung sabihin kong puwede, sa bawat pagkakataon.",
    ),
    SCOPES.AUDIO: (
        "DEMO TEXT. I agree that sessions I take part in may be audio recorded.",
        "DEMO TEXT. Pumapayag akong i-record ang audio ng mga sesyong sinasalihan ko.",
    ),
    SCOPES.QUOTING: (
        "DEMO TEXT. I agree to be quoted by my pseudonym.",
        "DEMO TEXT. Pumapayag akong ma-quote gamit ang pangalan ko sa Tinig (ang pseudonym ko).",
    ),
    SCOPES.STORY: (
        "DEMO TEXT. I agree to share parts of my story that I choose, with audiences "
        "I choose, for each engagement.",
        "DEMO TEXT. Pumapayag akong ibahagi ang mga bahagi ng kuwento ko na pipiliin "
        "ko, sa mga makikinig na pipiliin ko, sa bawat gawain.",
    ),
    SCOPES.MEDIA: (
        "DEMO TEXT. I agree that journalists may ask Tinig to put them in touch with "
        "me. I decide each time.",
        "DEMO TEXT. Pumapayag akong puwedeng hilingin ng mga mamamahayag sa Tinig na "
        "ikonekta sila sa akin. Ako ang magpapasya sa bawat pagkakataon.",
    ),
    # A migration publishes its real first text; this one only serves a
    # database emptied since (tests).
    SCOPES.PUBLIC_EVENTS: (
        "DEMO TEXT. I agree to take part in events with people from outside "
        "the programme, by my pseudonym. I can say no to any event.",
        "DEMO TEXT. Pumapayag akong sumali sa mga event na may mga taong mula sa labas "
        "ng programa, gamit ang pangalan ko sa Tinig (ang pseudonym ko). Puwede akong "
        "humindi sa kahit anong event.",
    ),
}

# A tiny, valid PDF standing for a scanned signed form.
DEMO_EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoConsultant:
    pseudonym: str
    legal_name: str
    number: int
    status: str
    region: str
    occupation: str
    languages: tuple[str, ...]
    expertise: tuple[str, ...]
    windows: tuple[tuple[int, str, str], ...] = ()
    busy: tuple[tuple[str, int, int], ...] = ()  # kind, days from today, length
    consents: tuple[str, ...] = tuple(EVERYDAY)
    withdrawn: tuple[str, ...] = ()
    bio: str = ""
    limit: int = 2
    user_email: str | None = None
    wellbeing_lead: bool = False
    notes: tuple[tuple[str, str], ...] = field(default=())
    # Her choices about peers (/portal/me/peers/); both off unless set.
    visible_to_peers: bool = False
    prefers_peer: bool = False


L = Language
R = Region
O = Consultant.Occupation  # noqa: E741
EVENING = ((0, "18:00", "21:00"), (2, "18:00", "21:00"))
WEEKEND = ((5, "09:00", "12:00"), (5, "13:00", "17:00"), (6, "13:00", "16:00"))

DEMO_CONSULTANTS = [
    DemoConsultant(
        "Amihan",
        "Demo Person One",
        1,
        S.ACTIVE,
        R.NCR,
        O.EMPLOYED,
        (L.FILIPINO, L.ENGLISH),
        ("policy-advocacy", "public-speaking", "legislative-testimony"),
        windows=(*EVENING, *WEEKEND[:1]),
        busy=(("work", 10, 5),),
        consents=(*EVERYDAY, SCOPES.QUOTING, SCOPES.PUBLIC_EVENTS, SCOPES.AUDIO, SCOPES.STORY),
        bio="Amihan advises on policy and speaks about survivor-led programmes.",
        limit=3,
        user_email="consultant@example.org",
        wellbeing_lead=True,
        notes=(
            ("helps", "DEMO NOTE. Likes to see the questions a day before a panel."),
            ("check_in", "DEMO NOTE. Check-in after the hearing went well; wants a week off."),
        ),
        visible_to_peers=True,
        prefers_peer=True,
    ),
    DemoConsultant(
        "Bituin",
        "Demo Person Two",
        2,
        S.ACTIVE,
        R.VII,
        O.STUDENT,
        (L.CEBUANO, L.ENGLISH),
        ("peer-support", "training-design"),
        windows=WEEKEND,
        busy=(("exams", 20, 10),),
        consents=(*EVERYDAY, SCOPES.PHOTO),
        withdrawn=(SCOPES.PHOTO,),
    ),
    DemoConsultant(
        "Dalisay",
        "Demo Person Three",
        3,
        S.ON_BREAK,
        R.VI,
        O.BOTH,
        (L.HILIGAYNON, L.FILIPINO),
        ("content-review", "research"),
        windows=EVENING,
        wellbeing_lead=True,
        notes=(("avoid", "DEMO NOTE. Prefers not to join sessions with a live audience."),),
    ),
    DemoConsultant(
        "Hiraya",
        "Demo Person Four",
        4,
        S.ONBOARDING,
        R.III,
        O.EMPLOYED,
        (L.KAPAMPANGAN, L.FILIPINO),
        ("programme-co-design",),
        consents=(SCOPES.DATA_PROCESSING,),
    ),
    DemoConsultant(
        "Ligaya",
        "Demo Person Five",
        5,
        S.ACTIVE,
        R.XI,
        O.EMPLOYED,
        (L.CEBUANO, L.FILIPINO),
        ("media", "public-speaking", "online-safety"),
        windows=((1, "19:00", "21:00"), (3, "19:00", "21:00"), (6, "09:00", "12:00")),
        consents=(*EVERYDAY, SCOPES.MEDIA, SCOPES.QUOTING, SCOPES.PUBLIC_EVENTS, SCOPES.VIDEO),
        bio="Ligaya speaks with journalists about online safety.",
    ),
    DemoConsultant(
        "Mayumi",
        "Demo Person Six",
        6,
        S.ALUMNI,
        R.I,
        O.OTHER,
        (L.ILOCANO, L.ENGLISH),
        ("research",),
        consents=(*EVERYDAY,),
        withdrawn=(SCOPES.PARTICIPATION,),
    ),
    DemoConsultant(
        "Tala",
        "Demo Person Seven",
        7,
        S.ACTIVE,
        R.NCR,
        O.STUDENT,
        (L.FILIPINO, L.ENGLISH),
        ("content-co-authoring", "content-review", "training-design"),
        windows=((4, "14:00", "18:00"), *WEEKEND),
        busy=(("travel", 3, 4),),
        consents=(*EVERYDAY, SCOPES.QUOTING, SCOPES.PUBLIC_EVENTS),
        limit=4,
        visible_to_peers=True,
    ),
    DemoConsultant(
        "Luningning",
        "Demo Person Eight",
        8,
        S.ACTIVE,
        R.V,
        O.EMPLOYED,
        (L.BIKOL, L.FILIPINO),
        ("justice-system", "policy-advocacy"),
        windows=EVENING,
        busy=(("work", -2, 30),),
    ),
    DemoConsultant(
        "Marikit",
        "Demo Person Nine",
        9,
        S.ON_BREAK,
        R.VIII,
        O.STUDENT,
        (L.WARAY, L.FILIPINO),
        ("peer-support",),
        windows=WEEKEND[:2],
        wellbeing_lead=True,
    ),
    DemoConsultant(
        "Sinag",
        "Demo Person Ten",
        10,
        S.ONBOARDING,
        R.I,
        O.EMPLOYED,
        (L.PANGASINAN, L.ILOCANO),
        ("online-safety", "training-design"),
        consents=(),
    ),
    DemoConsultant(
        "Diwa",
        "Demo Person Eleven",
        11,
        S.ACTIVE,
        R.BARMM,
        O.BOTH,
        (L.FILIPINO, L.OTHER),
        ("programme-co-design", "research"),
        windows=((0, "08:00", "11:00"), (2, "08:00", "11:00"), (4, "08:00", "11:00")),
        consents=(*EVERYDAY, SCOPES.AUDIO),
    ),
    DemoConsultant(
        "Kalinaw",
        "Demo Person Twelve",
        12,
        S.ALUMNI,
        R.CAR,
        O.EMPLOYED,
        (L.ILOCANO, L.ENGLISH),
        ("legislative-testimony", "justice-system"),
        consents=(),
    ),
]

# The path through the statuses to reach each one (every step is history).
STATUS_PATH = {
    S.ONBOARDING: [],
    S.ACTIVE: [S.ACTIVE],
    S.ON_BREAK: [S.ACTIVE, S.ON_BREAK],
    S.ALUMNI: [S.ACTIVE, S.ALUMNI],
}


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def _ensure_consent_texts(by) -> None:
    from consultants import services
    from consultants.selectors import consent_text_current

    for scope, (english, filipino) in DEMO_CONSENT_TEXTS.items():
        if consent_text_current(scope=scope) is None:
            draft = services.consent_text_create(
                scope=scope, body=english, translations={"fil": filipino}, by=by
            )
            services.consent_text_publish(text=draft, by=by)


def _create(demo: DemoConsultant, *, by, consultant_user, lead) -> Consultant:
    from consultants import services

    today = timezone.localdate()
    consultant = services.consultant_create(
        by=by,
        data={
            "pseudonym": demo.pseudonym,
            "legal_name": demo.legal_name,
            "email": f"{demo.pseudonym.lower()}.demo@example.org",
            "phone": f"+63 917 000 {demo.number:04d}",
            "address": f"Demo Street {demo.number}, Demo City",
            "support_person_name": f"Demo Support {demo.number}",
            "support_person_relation": "Friend",
            "support_person_contact": f"+63 918 000 {demo.number:04d}",
            "preferred_languages": [demo.languages[0]],
            "spoken_languages": list(demo.languages),
            "region": demo.region,
            "occupation_status": demo.occupation,
            "occupation_constraints": "DEMO. Free on weekday evenings and some weekends.",
            "monthly_engagement_limit": demo.limit,
            "joined_on": today - datetime.timedelta(days=30 * demo.number),
            "public_bio": demo.bio,
        },
        expertise=ExpertiseTopic.objects.filter(slug__in=demo.expertise),
    )
    if demo.pseudonym == "Amihan" and consultant_user is not None:
        consultant.user = consultant_user
        consultant.save(update_fields=["user", "updated_at"])
    if demo.bio:
        services.consultant_public_bio_approve(consultant=consultant, by=by)
    for step in STATUS_PATH[demo.status]:
        services.consultant_status_change(
            consultant=consultant,
            status=step,
            by=by,
            reason="DEMO. Exam season." if step == S.ON_BREAK else "",
            break_until=today + datetime.timedelta(days=14 + demo.number)
            if step == S.ON_BREAK
            else None,
        )
    for weekday, start, end in demo.windows:
        services.weekly_window_add(
            consultant=consultant,
            weekday=weekday,
            start_time=_time(start),
            end_time=_time(end),
            by=by,
        )
    for kind, offset, length in demo.busy:
        starts_on = today + datetime.timedelta(days=offset)
        services.busy_period_add(
            consultant=consultant,
            kind=kind if kind in BusyPeriod.Kind.values else BusyPeriod.Kind.OTHER,
            starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=length),
            by=by,
        )
    for scope in demo.consents:
        evidence = None
        if demo.pseudonym == "Amihan" and scope == SCOPES.PARTICIPATION:
            evidence = ContentFile(DEMO_EVIDENCE_PDF, name="signed-form.pdf")
        services.consent_grant(consultant=consultant, scope=scope, by=by, evidence=evidence)
    for scope in demo.withdrawn:
        services.consent_withdraw(consultant=consultant, scope=scope, by=by)
    if demo.visible_to_peers or demo.prefers_peer:
        Consultant.objects.filter(pk=consultant.pk).update(
            visible_to_peers=demo.visible_to_peers, prefers_peer=demo.prefers_peer
        )
    if demo.wellbeing_lead and lead is not None:
        services.wellbeing_lead_assign(consultant=consultant, lead=lead, by=by)
        for kind, body in demo.notes:
            services.wellbeing_note_add(consultant=consultant, kind=kind, body=body, author=lead)
    return consultant


def seed() -> list[str]:
    """Create the demo consultants that are missing; returns their pseudonyms."""
    from accounts.demo import demo_user
    from accounts.models import User

    by = (
        User.objects.filter(email="manager@example.org").first()
        or User.objects.filter(email="admin@example.org").first()
    )
    if by is None:
        raise RuntimeError("Load the demo sign-ins first (accounts.demo.seed).")
    consultant_user = demo_user("consultant@example.org")  # sealed: found by its hash
    if consultant_user is not None and Consultant.objects.filter(user=consultant_user).exists():
        consultant_user = None  # already someone's portal account
    lead = User.objects.filter(email="wellbeing@example.org").first()

    _ensure_consent_texts(by)
    existing = set(
        Consultant.objects.annotate(key=Lower("pseudonym")).values_list("key", flat=True)
    )
    created = []
    for demo in DEMO_CONSULTANTS:
        if demo.pseudonym.lower() in existing:
            continue
        _create(demo, by=by, consultant_user=consultant_user, lead=lead)
        created.append(demo.pseudonym)
    return created
