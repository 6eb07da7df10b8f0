from accounts import access


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
