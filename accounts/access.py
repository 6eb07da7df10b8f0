"""Who may enter which part of Tinig. Views ask these, never the groups."""

from accounts.roles import Role, has_role, is_consultant, is_staff_member


def can_use_staff_site(user) -> bool:
    return is_staff_member(user)


def can_use_portal(user) -> bool:
    return is_consultant(user)


def can_use_admin(user) -> bool:
    """The admin site is the administrators' (and superusers') alone."""
    return bool(user.is_active and user.is_staff) and (
        user.is_superuser or has_role(user, Role.ADMINISTRATOR)
    )
