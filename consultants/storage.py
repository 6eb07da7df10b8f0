"""The private storage that consent evidence is written to.

Kept as a module of its own so migrations (``consultants.storage.
get_private_storage``) stay stable; the storage itself is
``core.files.private_storage``, shared with every app that keeps private
files. ``storages["private"]`` has no URL: a file in it is served only by
a view that checks who is asking.
"""

from core.files import PrivateStorage, get_private_storage, private_storage

__all__ = ["PrivateStorage", "get_private_storage", "private_storage"]
