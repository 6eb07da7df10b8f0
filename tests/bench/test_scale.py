"""``./tinig bench scale`` cannot rot: its seed at 1/10,000 of the volumes,
one interleaved round over every declared page, and the PDF measurements,
in the test database (rolled back), in seconds."""

import json

import pytest

from bench import scale
from bench.scale import pages, seed
from bench.scale.copy import Loader, SeedError, copy_text

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]


@pytest.fixture
def tiny(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench.scale.urls"
    seconds = seed.seed(seed.Volume(10_000))
    return seconds


def test_copy_text_escapes_what_copy_reads_as_structure():
    assert copy_text(None) == "\\N"
    assert copy_text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert copy_text(["fil", 'say "hi"']) == '{"fil","say \\\\"hi\\\\""}'
    assert copy_text(True) == "t"


def test_a_new_required_column_stops_the_seed_with_its_name():
    from django.utils import timezone

    from engagements.models import Engagement

    with pytest.raises(SeedError, match=r"Engagement\.owner"):
        Loader(Engagement, ["title"], moment=timezone.now())


def test_seed_and_one_round_of_every_page(tiny, capsys):
    from compensation.models import TimeEntry
    from engagements.models import Engagement

    assert Engagement.objects.count() == seed.FLOOR["engagements"]
    assert TimeEntry.objects.count() == seed.Volume(10_000).count("time_entries")
    results = scale.measure_pages(rounds=1)

    answered = {result.label: result.status for result in results}
    answered |= {r.admin.label: r.admin.status for r in results if r.admin is not None}
    assert {label for label, status in answered.items() if status != 200} <= {
        # At 1/10,000 the portal consultant's engagements are all past.
        "portal: one engagement"
    }
    # The pages merged after the benchmark was written are declared, and
    # the seed gives them rows (impact, the finance desk's versions).
    for label in (
        "desk: rate cards",
        "desk: agreements (search)",
        "record for a consultant (search)",
        "checklist handover (one person)",
        "search: engagements (JSON)",
        "impact (one engagement)",
        "portal: what your voice changed",
    ):
        assert answered[label] == 200, label
    by_label = {result.label: result for result in results}
    assert by_label["search: engagements (JSON)"].admin is not None
    assert by_label["portal: what your voice changed"].kind == "portal"
    floor = next(result for result in results if result.kind == "floor")
    assert len(floor.timings) == 1 and floor.queries > 0
    assert all(result.gzipped > 0 for result in results)

    text, differ = scale.table(results, scale.counts_of(results), "itself", "tiny")
    assert differ == []
    assert scale.TIMES_ADMIN in text and "matching (one engagement)" in text
    people = next(result for result in results if result.label == "people")
    changed = {**scale.counts_of(results), "people": people.queries + 1}
    assert scale.table(results, changed, "other", "tiny")[1] == [
        f"people: {people.queries} at tiny, {people.queries + 1} at other"
    ]


def test_the_seed_gives_the_impact_and_desk_pages_their_rows(tiny):
    from compensation.models import AllowancePolicy, RateCard
    from impact.models import Contribution, Outcome, Work
    from tests.helpers import client_for

    found = pages.targets()
    assert Contribution.objects.filter(pk=found["contribution"]).exists()
    assert Contribution.objects.filter(engagement_id=found["engagement"]).exists()
    assert Outcome.objects.filter(contribution_id=found["contribution"]).exists()
    assert Work.objects.filter(engagements=found["engagement"]).exists()
    assert RateCard.objects.exists() and AllowancePolicy.objects.exists()
    # Her own contributions, in the portal's "What your voice changed".
    html = client_for(seed.consultant_user()).get("/portal/voice/").content.decode()
    assert "Ask survivors before changing the intake form" in html


def test_documents_are_gathered_and_rendered(tiny, capsys):
    for document in pages.DOCUMENTS:
        assert scale.pdf_child(document.kind) == 0
    lines = [
        json.loads(line.removeprefix("BENCH-PDF "))
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("BENCH-PDF ")
    ]
    assert [line["kind"] for line in lines] == [document.kind for document in pages.DOCUMENTS]
    for line in lines:
        assert "error" not in line, line
        assert line["pdf_bytes"] > 1000 and line["gather_ms"] > 0 and line["rss_peak_mb"] > 0
    assert "gather/render" in scale.pdf_table([{"label": "x", **lines[0]}])


def test_the_seed_is_reused_only_when_version_and_volume_match(tiny):
    from django.db import connection

    with connection.cursor() as cursor:
        stored = seed.stored_seed(cursor)
    assert seed.matches(stored, seed.Volume(10_000))
    assert not seed.matches(stored, seed.Volume(100))
    assert not seed.matches({**stored, "version": "0"}, seed.Volume(10_000))
    assert not seed.matches({**stored, "complete": "no"}, seed.Volume(10_000))
