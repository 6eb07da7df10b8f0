"""Consent texts in English and Filipino: published only together, the
texts published before given their Filipino without a new version, the
words shown in her language (English only when a text has none in it), the
language recorded with her consent, and the Filipino as fixed as the
English once published."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from consultants import record, services
from consultants.demo import DEMO_CONSENT_TEXTS
from consultants.models import (
    ConsentRecord,
    ConsentScope,
    ConsentText,
    ConsentTextTranslation,
    TextLanguage,
)
from core.records import RecordIsImmutable
from tests.consultants.factories import ConsentTextFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

first_text = importlib.import_module("consultants.migrations.0004_public_events_consent")
filipino_texts = importlib.import_module("consultants.migrations.0008_filipino_consent_texts")


def _check_deferred_constraints():
    """What PostgreSQL checks when the transaction commits, checked now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def draft(manager_user):
    return services.consent_text_create(
        scope=ConsentScope.PHOTO, body="You may photograph me.", by=manager_user
    )


def test_the_languages_of_texts_are_those_tinig_speaks():
    assert [code for code, _name in settings.LANGUAGES] == TextLanguage.values


# --- Publishing in both languages -----------------------------------------------------


def test_publishing_without_the_filipino_is_refused_with_a_clear_message(draft, manager_user):
    with pytest.raises(ValidationError) as refused:
        services.consent_text_publish(text=draft, by=manager_user)
    assert refused.value.messages == [
        "Add the Filipino text before publishing: a consent text is published in "
        "English and Filipino together."
    ]
    draft.refresh_from_db()
    assert not draft.is_published

    services.consent_text_translate(
        text=draft, language="fil", body="Puwede akong kunan ng litrato.", by=manager_user
    )
    published = services.consent_text_publish(text=draft, by=manager_user)
    assert published.is_published
    assert published.body_for("fil") == "Puwede akong kunan ng litrato."
    assert published.body_for("en") == "You may photograph me."


def test_postgresql_refuses_publishing_without_the_filipino_too(draft):
    with pytest.raises(IntegrityError, match="published with its Filipino"), transaction.atomic():
        ConsentText.objects.filter(pk=draft.pk).update(published_at=timezone.now())
        _check_deferred_constraints()
    with pytest.raises(IntegrityError, match="published with its Filipino"), transaction.atomic():
        ConsentText.objects.create(
            scope=ConsentScope.VIDEO, version=9, body="English only", published_at=timezone.now()
        )
        _check_deferred_constraints()

    # Translated and published in one transaction, in either order: fine.
    with transaction.atomic():
        ConsentText.objects.filter(pk=draft.pk).update(published_at=timezone.now())
        ConsentTextTranslation.objects.create(text=draft, language="fil", body="Filipino")
        _check_deferred_constraints()
    draft.refresh_from_db()
    assert draft.is_published


def test_a_draft_is_written_in_both_languages_and_its_filipino_changes_freely(manager_user):
    draft = services.consent_text_create(
        scope=ConsentScope.AUDIO,
        body="You may record me.",
        translations={"fil": "Puwede akong i-record."},
        by=manager_user,
    )
    assert draft.missing_languages() == []
    services.consent_text_update(
        text=draft,
        body="You may record my voice.",
        translations={"fil": "Puwedeng i-record ang boses ko."},
        by=manager_user,
    )
    assert draft.body_for("fil") == "Puwedeng i-record ang boses ko."
    services.consent_text_update(
        text=draft, body="You may record my voice.", translations={"fil": ""}, by=manager_user
    )
    assert draft.missing_languages() == ["fil"]
    with pytest.raises(ValidationError):
        services.consent_text_translate(text=draft, language="en", body="No", by=manager_user)


# --- The Filipino of a published text never changes -----------------------------------


def test_the_filipino_of_a_published_text_is_immutable(published_texts, manager_user):
    text = published_texts[ConsentScope.PHOTO]
    translation_row = text.translations.get(language="fil")

    translation_row.body = "Iba na"
    with pytest.raises(RecordIsImmutable):
        translation_row.save()
    with pytest.raises(RecordIsImmutable):
        translation_row.delete()
    with pytest.raises(RecordIsImmutable):
        services.consent_text_translate(text=text, language="fil", body="Iba", by=manager_user)
    for statement in (
        "UPDATE consultants_consenttexttranslation SET body = 'Iba' WHERE id = %s",
        "DELETE FROM consultants_consenttexttranslation WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="never changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [translation_row.pk])
    # Nor can another text's translation be moved onto it.
    other = ConsentTextFactory(scope=ConsentScope.PHOTO, version=5, published_at=None)
    moved = ConsentTextTranslation.objects.create(text=other, language="fil", body="Lipat")
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        ConsentTextTranslation.objects.filter(pk=moved.pk).update(text=text)
    assert text.body_for("fil") == "Teksto para sa photo"


def test_a_text_published_in_english_only_gains_its_filipino_once(manager_user):
    legacy = ConsentTextFactory(scope=ConsentScope.MEDIA, version=4, filipino="")
    assert legacy.body_for("fil") == legacy.body  # English until then

    services.consent_text_translate(
        text=legacy, language="fil", body="Ang Filipino nito", by=manager_user
    )
    assert legacy.body_for("fil") == "Ang Filipino nito"
    legacy.refresh_from_db()
    assert legacy.version == 4 and ConsentText.objects.filter(scope="media").count() == 1
    with pytest.raises(RecordIsImmutable):
        services.consent_text_translate(
            text=legacy, language="fil", body="Ibang Filipino", by=manager_user
        )
    with pytest.raises(ValidationError):
        services.consent_text_translate(text=legacy, language="fil", body=" ", by=manager_user)


# --- The texts published before get their Filipino (migration 0008) -----------------


def test_the_public_events_text_has_its_filipino_after_migrate():
    # The test database may have been emptied since it was migrated: run the
    # data steps again (each leaves alone what is there).
    first_text.publish_first_text(apps, None)
    filipino_texts.translate_published_texts(apps, None)
    filipino_texts.translate_published_texts(apps, None)

    (text,) = ConsentText.objects.filter(scope=ConsentScope.PUBLIC_EVENTS)
    assert text.version == 1  # the same version: nobody is asked to consent again
    assert text.body == first_text.FIRST_TEXT
    (filipino,) = text.translations.all()
    assert filipino.language == "fil"
    assert text.body_for("fil") == filipino_texts.PUBLIC_EVENTS_FIL
    words = text.body_for("fil")
    assert "pseudonym" in words and "bawiin ang pahintulot" in words
    assert "humindi" in words and "umatras" in words
    assert " po " not in words and "ninyo" not in words  # docs/glossary-fil.md


def test_the_data_step_translates_only_texts_whose_english_it_knows(manager_user):
    scope, (english, filipino) = next(iter(DEMO_CONSENT_TEXTS.items()))
    ConsentText.objects.filter(scope=scope).delete()  # none are published in a test database
    known = ConsentTextFactory(scope=scope, version=1, body=english, filipino="")
    unknown = ConsentTextFactory(scope=scope, version=2, body="Written by staff", filipino="")

    filipino_texts.translate_published_texts(apps, None)

    assert known.body_for("fil") == filipino
    assert unknown.body_for("fil") == "Written by staff"  # English until someone writes it
    # The step does not create the unknown one's Filipino; an administrator
    # adds it, so the deferred publishing check of this test passes.
    services.consent_text_translate(text=unknown, language="fil", body="Isinulat", by=manager_user)


def test_every_demo_text_has_the_filipino_the_data_step_gives_it():
    for scope, (english, filipino) in DEMO_CONSENT_TEXTS.items():
        assert filipino_texts.FILIPINO[(scope, english)] == filipino


# --- Shown in her language ------------------------------------------------------------


def test_the_accessor_follows_the_active_language_and_falls_back_to_english(published_texts):
    text = published_texts[ConsentScope.PHOTO]
    legacy = ConsentTextFactory(scope=ConsentScope.MEDIA, version=3, filipino="")
    with translation.override("fil"):
        assert text.body_for() == "Teksto para sa photo"
        assert text.words_for() == ("fil", "Teksto para sa photo")
        assert legacy.words_for() == ("en", legacy.body)
        html = render_to_string(
            "consultants/portal/_consent_words.html", {"language": "fil", "body": "Salita"}
        )
        assert '<div lang="fil"><p>Salita</p></div>' in html
    with translation.override("fil-ph"):
        assert text.body_for() == "Teksto para sa photo"
    with translation.override("en"):
        assert text.body_for() == "Text for photo"
    with translation.override("ceb"):  # not a language of Tinig's: English
        assert text.body_for() == "Text for photo"
    legacy.translations.create(language="fil", body="Dagdag")  # the deferred check holds


@pytest.fixture
def fil_client(consultant_user, own_consultant, filipino_requests):
    return client_for(filipino_requests(consultant_user))


def test_the_portal_grant_page_shows_the_filipino_and_records_it(
    fil_client, own_consultant, published_texts
):
    url = reverse("my:consent_grant", args=["photo"])
    page = fil_client.get(url).content.decode()
    assert '<div lang="fil"><p>Teksto para sa photo</p></div>' in page
    assert "Text for photo" not in page
    assert 'name="language" value="fil"' in page

    fil_client.post(url, {"version": 1, "language": "fil", "agree": "on"})
    grant = ConsentRecord.objects.get(consultant=own_consultant)
    assert (grant.consent_text.version, grant.text_language) == (1, "fil")
    assert grant.shown_body == "Teksto para sa photo"


def test_a_text_not_yet_in_filipino_is_shown_in_english_and_recorded_so(
    fil_client, own_consultant, published_texts
):
    legacy = ConsentTextFactory(scope=ConsentScope.VIDEO, version=2, filipino="")
    url = reverse("my:consent_grant", args=["video"])
    page = fil_client.get(url).content.decode()
    assert f'<div lang="en"><p>{legacy.body}</p></div>' in page
    assert "Wala pang bersiyon ng tekstong ito sa wika mo, kaya nasa Ingles ito." in page

    fil_client.post(url, {"version": 2, "language": "en", "agree": "on"})
    assert ConsentRecord.objects.get(consultant=own_consultant).text_language == "en"
    legacy.translations.create(language="fil", body="Dagdag")  # the deferred check holds


def test_withdrawing_shows_what_she_agreed_to_in_her_language(
    fil_client, own_consultant, published_texts
):
    services.consent_grant(
        consultant=own_consultant, scope="photo", language="fil", by=own_consultant.user
    )
    url = reverse("my:consent_withdraw", args=["photo"])
    page = fil_client.get(url).content.decode()
    assert "Ang pinayagan mo (bersiyon 1 ng teksto)" in page
    assert '<div lang="fil"><p>Teksto para sa photo</p></div>' in page

    fil_client.post(url)
    withdrawal = ConsentRecord.objects.filter(consultant=own_consultant).first()
    assert (withdrawal.action, withdrawal.text_language) == ("withdrawn", "fil")
    page = fil_client.get(reverse("my:consent")).content.decode()
    assert "bersiyon 1 ng teksto, sa Filipino" in page


def test_english_requests_read_and_record_english(client_and_consultant, published_texts):
    client, consultant = client_and_consultant
    url = reverse("my:consent_grant", args=["photo"])
    assert '<div lang="en"><p>Text for photo</p></div>' in client.get(url).content.decode()
    client.post(url, {"version": 1, "agree": "on"})  # an older page, without the language
    assert ConsentRecord.objects.get(consultant=consultant).text_language == "en"


@pytest.fixture
def client_and_consultant(consultant_user, own_consultant):
    return client_for(consultant_user), own_consultant


# --- Her record says in which words -------------------------------------------------


def test_her_record_keeps_the_words_she_read_whatever_language_it_is_read_in(
    own_consultant, published_texts, manager_user
):
    services.consent_grant(
        consultant=own_consultant, scope="photo", language="fil", by=manager_user
    )
    services.consent_grant(consultant=own_consultant, scope="video", language="en", by=manager_user)
    # A record made before the language was kept (the field empty): English.
    ConsentRecord.objects.create(
        consultant=own_consultant,
        scope="audio",
        action=ConsentRecord.Action.GRANTED,
        consent_text=published_texts["audio"],
        recorded_by=manager_user,
    )
    with translation.override("en"):
        data = record.record_json(record.record_build(own_consultant), exported_at=timezone.now())
    rows = {row["scope"]: row for row in data["consent"]}
    photo = ("Teksto para sa photo", "fil")
    assert (rows["photo"]["text"], rows["photo"]["text_language"]) == photo
    assert (rows["video"]["text"], rows["video"]["text_language"]) == ("Text for video", "en")
    assert (rows["audio"]["text"], rows["audio"]["text_language"]) == ("Text for audio", "en")

    with translation.override("fil"):
        sections = record.record_build(own_consultant)
        photo, video = str(ConsentScope.PHOTO.label), str(ConsentScope.VIDEO.label)
    (consent,) = [section for section in sections if section.key == "consent"]
    shown = {row.title: {e.key: e for e in row.entries} for row in consent.rows}
    assert shown[photo]["text"].value == "Teksto para sa photo"
    assert shown[video]["text"].value == "Text for video"  # what she read, in English
