"""The private storage that generated documents are written to.

``storages["private"]`` has no URL: a file in it is served only by a view
that checks who is asking. The model field holds a lazy handle that looks
the storage up on first use, and again after ``STORAGES`` changes (tests
point it at a temporary folder), instead of the instance that existed when
the models were imported.
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
    """The ``storage=`` callable of ReportJob.file (a callable keeps migrations stable)."""
    return private_storage


def _reset_on_setting_change(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_STORAGE_ROOT"):
        private_storage._wrapped = empty


setting_changed.connect(_reset_on_setting_change)
