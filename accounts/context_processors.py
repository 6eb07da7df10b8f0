from django.conf import settings

from accounts import access
from accounts import safety as shared


def roles(request):
    """What the layouts need to draw navigation for the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_use_staff_site": access.can_use_staff_site(user),
        "can_use_portal": access.can_use_portal(user),
        "can_use_admin": access.can_use_admin(user),
    }


def safety(request):
    """Shared-phone sessions (accounts.safety): the layouts warn before the
    session ends and before downloads."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not shared.is_shared_phone(request):
        return {"shared_phone": False}
    return {
        "shared_phone": True,
        "shared_phone_idle_seconds": settings.SHARED_PHONE_IDLE_SECONDS,
        "shared_phone_idle_minutes": max(1, settings.SHARED_PHONE_IDLE_SECONDS // 60),
    }
