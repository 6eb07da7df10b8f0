"""A model field that keeps its value encrypted with core's cipher.

``accounts`` may not import ``core`` (the lowest layer imports nothing of
ours), so this field reaches core's fail-closed cipher through
``accounts.sealing``, which core fills from its ``ready()``. It says
``encrypted = True`` like ``core.encryption``'s fields, so key rotation
(``rotate_encryption_keys``) re-encrypts it and ``core.audit`` masks it
exactly as theirs: a value no key can read raises ``DecryptionError``,
never returns ciphertext.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts import sealing


class SealedTextField(models.TextField):
    """Text kept encrypted; NULL (None) when there is none."""

    encrypted = True
    _pyi_private_set_type: str | None
    _pyi_private_get_type: str | None

    def from_db_value(self, value, expression, connection) -> Any:
        if value is None:
            return None
        model = getattr(self, "model", None)
        label = model._meta.label if model is not None else "?"
        return sealing.unseal(value, where=f"{label}.{self.name}")

    def get_db_prep_save(self, value, connection) -> Any:
        value = super().get_db_prep_save(value, connection)
        if value is None or value == "":
            return None
        return sealing.seal(str(value))
