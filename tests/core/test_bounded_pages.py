"""core.bounded's pages: columns for the page's rows only, and cursors."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F, QuerySet, Value
from django.utils import timezone

from accounts.models import User
from core.bounded import AnnotatedPaginator, InvalidCursor, decode_cursor, encode_cursor
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _annotate(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.annotate(marked=Value(True), twice=F("pk") * 2)


def test_annotated_paginator_keeps_the_order_and_annotates_the_page(
    django_assert_num_queries,
):
    people = [UserFactory(display_name=f"P{n:02d}") for n in range(7)]
    rows = User.objects.filter(pk__in=[p.pk for p in people]).order_by("-display_name", "pk")
    paginator = AnnotatedPaginator(rows, 3, annotate=_annotate)
    with django_assert_num_queries(2):
        page = paginator.get_page(2)
        shown = list(page)
    assert [u.display_name for u in shown] == ["P03", "P02", "P01"]
    assert all(u.marked and u.twice == u.pk * 2 for u in shown)
    assert paginator.count == 7 and paginator.num_pages == 3
    assert [u.display_name for u in paginator.get_page("x")] == ["P06", "P05", "P04"]
    assert [u.display_name for u in paginator.get_page(-4)] == ["P00"]  # Django: the last
    assert [u.display_name for u in paginator.get_page(99)] == ["P00"]


def test_a_cursor_reads_back_what_it_says():
    moment = timezone.now().replace(microsecond=123456)
    assert decode_cursor(encode_cursor(moment, 42)) == (moment, 42)
    assert "=" not in encode_cursor(moment, 42)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "A" * 121,
        encode_cursor(datetime.datetime(2031, 6, 2, 10, tzinfo=datetime.UTC), 1).upper(),
        # a moment without its zone, an id of 0, a bigint too big
        "MjAzMS0wNi0wMlQxMDowMDowMHwx",
        encode_cursor(datetime.datetime(2031, 6, 2, tzinfo=datetime.UTC), 1)[:-3] + "fDA",
    ],
)
def test_a_cursor_tinig_did_not_write_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)
