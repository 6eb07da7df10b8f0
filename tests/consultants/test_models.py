"""Invariants the models and PostgreSQL hold: encryption at rest, unique
pseudonyms, valid phone numbers and e-mail addresses, sane dates and
windows that never overlap."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from consultants import services
from consultants.models import BusyPeriod, Consultant, StatusChange, WeeklyAvailability
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
    WellbeingNoteFactory,
)

pytestmark = pytest.mark.django_db


def _raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        return repr(cursor.fetchall())


def test_raw_sql_shows_no_identity_contact_or_note_in_plain_text(admin_user):
    consultant = ConsultantFactory(
        pseudonym="Hiraya",
        legal_name="Juana Dela Cruz",
        email="juana.private@example.net",
        phone="+639175551234",
        address="12 Hidden Lane",
        support_person_name="Rosa Helper",
        support_person_contact="rosa@example.net",
        message_name="Juana",
    )
    WellbeingNoteFactory(consultant=consultant, body="Avoid questions about her cousin")
    BusyPeriodFactory(consultant=consultant, note="Night shift at St. Somewhere Hospital")
    services.consultant_status_change(
        consultant=consultant,
        status=Consultant.Status.ON_BREAK,
        by=admin_user,
        reason="Family illness",
        break_until=datetime.date.today() + datetime.timedelta(days=30),
    )

    dump = "".join(
        _raw_rows(table)
        for table in (
            "consultants_consultant",
            "consultants_wellbeingnote",
            "consultants_busyperiod",
            "consultants_statuschange",
        )
    )
    assert "Hiraya" in dump  # the pseudonym is in clear, the rest is not
    for secret in (
        "Juana",
        "Dela Cruz",
        "juana.private",
        "9175551234",
        "Hidden Lane",
        "Rosa",
        "cousin",
        "Somewhere",
        "Family illness",
    ):
        assert secret not in dump

    consultant.refresh_from_db()
    assert consultant.legal_name == "Juana Dela Cruz"
    assert consultant.phone == "+639175551234"


def test_str_is_the_pseudonym_only():
    consultant = ConsultantFactory(pseudonym="Mayumi", legal_name="Secret Name")
    assert str(consultant) == "Mayumi"
    assert "Secret" not in str(WellbeingNoteFactory(consultant=consultant))


def test_duplicate_pseudonym_refused_whatever_the_case(admin_user):
    ConsultantFactory(pseudonym="Ligaya")
    with pytest.raises(ValidationError) as error:
        services.consultant_create(by=admin_user, data={"pseudonym": "LIGAYA", "legal_name": "X Y"})
    assert "This pseudonym is already in use." in error.value.messages
    assert Consultant.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultantFactory(pseudonym="ligaya")


@pytest.mark.parametrize(
    "typed",
    ["09171234567", "+639171234567", "639171234567", "+63 917 123 4567", "(0917) 123-4567"],
)
def test_phone_normalised_to_plus_63(admin_user, typed):
    consultant = services.consultant_create(
        by=admin_user, data={"pseudonym": "Sinag", "legal_name": "A B", "phone": typed}
    )
    consultant.refresh_from_db()
    assert consultant.phone == "+639171234567"


@pytest.mark.parametrize(
    "typed", ["12345", "0817 123 4567", "+1 415 555 0100", "0917123456", "abc"]
)
def test_phone_in_the_wrong_shape_refused(admin_user, typed):
    with pytest.raises(ValidationError) as error:
        services.consultant_create(
            by=admin_user, data={"pseudonym": "Sinag", "legal_name": "A B", "phone": typed}
        )
    assert "phone" in error.value.message_dict
    assert "Philippine mobile number" in error.value.message_dict["phone"][0]
    assert not Consultant.objects.exists()


@pytest.mark.parametrize("typed", ["not-an-email", "a@", "@example.org", "a b@example.org"])
def test_email_in_the_wrong_shape_refused(admin_user, typed):
    with pytest.raises(ValidationError) as error:
        services.consultant_create(
            by=admin_user, data={"pseudonym": "Sinag", "legal_name": "A B", "email": typed}
        )
    assert "email" in error.value.message_dict
    assert not Consultant.objects.exists()


def test_email_stored_lower_case(admin_user):
    consultant = services.consultant_create(
        by=admin_user,
        data={"pseudonym": "Sinag", "legal_name": "A B", "email": " Sinag@Example.ORG "},
    )
    consultant.refresh_from_db()
    assert consultant.email == "sinag@example.org"


def test_legal_name_required(admin_user):
    with pytest.raises(ValidationError) as error:
        services.consultant_create(by=admin_user, data={"pseudonym": "Sinag"})
    assert "legal_name" in error.value.message_dict


@pytest.mark.parametrize("limit", [0, 11])
def test_monthly_limit_out_of_range_refused(admin_user, limit):
    with pytest.raises(ValidationError):
        services.consultant_create(
            by=admin_user,
            data={"pseudonym": "Sinag", "legal_name": "A B", "monthly_engagement_limit": limit},
        )
    consultant = ConsultantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultant.objects.filter(pk=consultant.pk).update(monthly_engagement_limit=limit)


def test_preferred_languages_are_spoken(admin_user):
    consultant = services.consultant_create(
        by=admin_user,
        data={
            "pseudonym": "Sinag",
            "legal_name": "A B",
            "preferred_languages": ["ceb"],
            "spoken_languages": ["en"],
        },
    )
    assert consultant.spoken_languages == ["en", "ceb"]


def test_unknown_language_refused(admin_user):
    with pytest.raises(ValidationError):
        services.consultant_create(
            by=admin_user,
            data={"pseudonym": "Sinag", "legal_name": "A B", "spoken_languages": ["xx"]},
        )


def test_creation_writes_the_first_status_entry(admin_user):
    consultant = services.consultant_create(
        by=admin_user, data={"pseudonym": "Sinag", "legal_name": "A B"}
    )
    change = StatusChange.objects.get(consultant=consultant)
    assert (change.from_status, change.to_status) == ("", Consultant.Status.ONBOARDING)


def test_break_without_end_date_refused_by_postgresql():
    consultant = ConsultantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultant.objects.filter(pk=consultant.pk).update(status=Consultant.Status.ON_BREAK)


# --- Weekly windows ----------------------------------------------------------------


def _window(consultant, admin_user, weekday, start, end):
    return services.weekly_window_add(
        consultant=consultant,
        weekday=weekday,
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        by=admin_user,
    )


def test_overlapping_window_refused_by_the_service_with_a_clear_message(admin_user):
    consultant = ConsultantFactory()
    _window(consultant, admin_user, 0, "09:00", "12:00")
    for start, end in [
        ("11:00", "13:00"),
        ("08:00", "09:30"),
        ("09:00", "12:00"),
        ("10:00", "11:00"),
    ]:
        with pytest.raises(ValidationError) as error:
            _window(consultant, admin_user, 0, start, end)
        assert error.value.messages == ["This window overlaps another window on the same day."]
    assert WeeklyAvailability.objects.filter(consultant=consultant).count() == 1


def test_touching_windows_other_days_and_other_people_are_fine(admin_user):
    consultant = ConsultantFactory()
    _window(consultant, admin_user, 0, "09:00", "12:00")
    _window(consultant, admin_user, 0, "12:00", "15:00")
    _window(consultant, admin_user, 1, "10:00", "11:00")
    _window(ConsultantFactory(), admin_user, 0, "10:00", "11:00")
    assert WeeklyAvailability.objects.count() == 4


def test_overlapping_window_refused_by_postgresql():
    window = WeeklyAvailabilityFactory(start_time=datetime.time(9), end_time=datetime.time(12))
    with pytest.raises(IntegrityError, match="consultants_weekly_no_overlap"), transaction.atomic():
        WeeklyAvailability.objects.create(
            consultant=window.consultant,
            weekday=window.weekday,
            start_time=datetime.time(11, 30),
            end_time=datetime.time(13),
        )


def test_window_ending_before_it_starts_refused(admin_user):
    consultant = ConsultantFactory()
    with pytest.raises(ValidationError) as error:
        _window(consultant, admin_user, 0, "12:00", "09:00")
    assert error.value.message_dict == {"end_time": ["The window must end after it starts."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyAvailability.objects.create(
            consultant=consultant,
            weekday=0,
            start_time=datetime.time(12),
            end_time=datetime.time(12),
        )


# --- Busy periods ---------------------------------------------------------------------


def test_busy_period_ending_before_it_starts_refused(admin_user):
    consultant = ConsultantFactory()
    day = datetime.date(2026, 3, 10)
    with pytest.raises(ValidationError) as error:
        services.busy_period_add(
            consultant=consultant,
            kind=BusyPeriod.Kind.EXAMS,
            starts_on=day,
            ends_on=day - datetime.timedelta(days=1),
            by=admin_user,
        )
    assert "A busy period cannot end before it starts." in error.value.messages
    assert not BusyPeriod.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        BusyPeriod.objects.create(
            consultant=consultant, kind="exams", starts_on=day, ends_on=day - datetime.timedelta(1)
        )


def test_one_day_busy_period_is_fine(admin_user):
    day = datetime.date(2026, 3, 10)
    period = services.busy_period_add(
        consultant=ConsultantFactory(), kind="travel", starts_on=day, ends_on=day, by=admin_user
    )
    assert period.covers(day)
