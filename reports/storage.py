"""Where generated documents are kept: the one private storage in
``core.files`` (no URL; served only by views that check who is asking).

Kept as a module because migration 0001 names
``reports.storage.get_private_storage``.
"""

from core.files import get_private_storage, private_storage

__all__ = ["get_private_storage", "private_storage"]
