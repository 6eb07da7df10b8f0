"""The admin: every model registered, money records read-only, no account
name or number anywhere on its pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from compensation import services
from compensation.models import (
    Agreement,
    AgreementAllowance,
    AllowancePolicy,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    RateCard,
    Receipt,
    TimeEntry,
)
from core.encryption import encrypted_field_names
from tests.compensation.factories import JPEG, PaymentMethodFactory, upload
from tests.helpers import approved_time, client_for

pytestmark = pytest.mark.django_db

MODELS = [
    RateCard,
    AllowancePolicy,
    Agreement,
    AgreementAllowance,
    TimeEntry,
    ExpenseClaim,
    Receipt,
    PaymentMethod,
    Payment,
    PaymentLine,
]
SECRETS = ["SECRET ACCOUNT HOLDER", "9876543210"]


@pytest.fixture
def everything(agreement, owner, manager_user, finance_user, consultant_user, finance_colleague):
    participation = agreement.participation
    approved_time(participation, by=owner, approver=manager_user)
    services.claim_submit(
        participation=participation,
        by=consultant_user,
        category="lodging",
        description="Hotel",
        amount="1800",
        incurred_on=participation.engagement.start.date(),
        receipts=[upload(JPEG, "r.jpg")],
    )
    PaymentMethodFactory(consultant=participation.consultant, is_default=True)
    payment = services.payment_approve(
        payment=services.payment_group(consultant=participation.consultant, by=finance_user),
        by=finance_colleague,
    )
    services.payment_mark_paid(payment=payment, by=finance_user, method="bank", reference="TX")
    return payment


def _url(model, name, *args):
    return reverse(f"admin:compensation_{model._meta.model_name}_{name}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_registered_and_shows_no_secret(everything, admin_user, model):
    model_admin = admin.site._registry[model]
    hidden = set(encrypted_field_names(model))
    assert not hidden & set(model_admin.list_display)
    assert not hidden & set(model_admin.search_fields or [])
    client = client_for(admin_user)
    pages = []
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    pages.append(response.content.decode())
    obj = model.objects.first()
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    pages.append(response.content.decode())
    response = client.get(_url(model, "changelist") + "?q=9876543210")
    assert response.status_code == 200
    for page in pages:
        for secret in SECRETS:
            assert secret not in page


@pytest.mark.parametrize(
    "model",
    [Agreement, TimeEntry, ExpenseClaim, Receipt, Payment, PaymentLine],
    ids=lambda m: m.__name__,
)
def test_money_records_are_read_only(everything, admin_user, model, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    obj = model.objects.first()
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert not model_admin.has_add_permission(request)


def test_a_paid_payment_cannot_be_posted_to(everything, admin_user):
    response = client_for(admin_user).post(
        _url(Payment, "change", everything.pk), {"reference": "changed"}
    )
    assert response.status_code == 403
    everything.refresh_from_db()
    assert everything.reference == "TX"


def test_non_administrators_cannot_open_it(everything, finance_user):
    response = client_for(finance_user).get(_url(Payment, "changelist"))
    assert response.status_code in (302, 403)
