"""The private storage that consent evidence is written to.

``storages["private"]`` has no URL: a file in it is served only by a view
that checks who is asking. A FileField evaluates a storage callable once,
when models are imported, so the field holds this lazy handle instead; it
looks the storage up on first use and again after ``STORAGES`` changes
(tests point it at a temporary folder). The same pattern as
``reports/storage.py``, kept here so that ``consultants`` depends on no
other app than ``core`` and ``accounts``.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


def get_private_storage():
    """The ``storage=`` callable of ConsentRecord.evidence (stable in migrations)."""
    return private_storage


def _reset_on_setting_change(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_STORAGE_ROOT"):
        private_storage._wrapped = empty


setting_changed.connect(_reset_on_setting_change)
