"""Factories for compensation records. Money and hours are Decimal."""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from compensation.models import (
    AllowancePolicy,
    PaymentMethod,
    RateCard,
)
from tests.accounts.factories import UserFactory

# A tiny valid PDF, a JPEG header and a Windows executable header.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def upload(content: bytes = PDF, name: str = "receipt.pdf") -> ContentFile:
    return ContentFile(content, name=name)


class RateCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateCard

    engagement_type = "roundtable"
    role = "participant"
    unit = "hour"
    amount = Decimal("500.00")
    effective_from = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=365)
    )
    effective_to = None


class AllowancePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllowancePolicy
        django_get_or_create = ["kind"]

    kind = "meal"
    default_amount = Decimal("300.00")
    paid_in_advance = True
    # In force since long before any engagement of a test.
    effective_from = datetime.date(2000, 1, 1)


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    kind = "bank"
    provider = "Test Bank"
    account_name = "SECRET ACCOUNT HOLDER"
    account_number = "9876543210"
    created_by = factory.SubFactory(UserFactory)
