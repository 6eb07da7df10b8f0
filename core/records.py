"""Records that may not change: one exception and one base for all of them.

Consent records, status and workflow histories, published texts and
templates, decided time and claims, paid payments: each is written once,
and a correction is a new record. Python refuses the change here; for the
money and consent tables PostgreSQL triggers refuse it again below the ORM.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordIsImmutable(ValidationError):
    """A record that is written once was asked to change or disappear.

    A ``ValidationError`` so that a form or service shows it like any other
    refusal, with the record's own message."""


class AppendOnlyModel(models.Model):
    """A row that is inserted and never updated or deleted (a history)."""

    immutable_message = _("This record is append-only; corrections are new records.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordIsImmutable(self.immutable_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordIsImmutable(self.immutable_message)
