"""The roles of Tinig, and the model permissions each one holds.

A role is a Django group of the same name (created by a data migration).
This module is the one place that knows which permissions a role has and
how to ask whether a user holds a role; views and services ask the access
helpers of their app, which ask here. Object-level grants (an engagement's
staff, a consultant's wellbeing lead) are django-guardian permissions,
given and checked only inside each app's ``access.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    PROGRAMME_STAFF = "programme_staff", _("Programme staff")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    WELLBEING_LEAD = "wellbeing_lead", _("Wellbeing lead")
    ADMINISTRATOR = "administrator", _("Administrator")
    # A consultant the programme names to lead its survivor network: held
    # beside the consultant role, never alone, and given or taken only by
    # ``network.services.leader_name`` / ``leader_end`` (the Leadership
    # record is the source; this group follows it).
    SURVIVOR_LEADER = "survivor_leader", _("Survivor leader")

    @property
    def description(self) -> str:
        """What a person with this role may do, in a sentence or two: the one
        text the people pages (and anything else that explains roles) show."""
        return str(ROLE_DESCRIPTIONS[self])


# Kept in step with the access rules of each app (``<app>/access.py``) and
# the table in docs/ARCHITECTURE.md; a role whose rules change gets its
# sentence changed here.
ROLE_DESCRIPTIONS = {
    Role.CONSULTANT: _(
        "Uses the private portal: their own engagements, time, pay, consent and details, "
        "never anyone else's. Given by inviting a consultant from their page, not here."
    ),
    Role.PROGRAMME_STAFF: _(
        "Runs the engagements they own or are assigned to (invitations, checklists, time "
        "and claims) and sees the consultants on them by pseudonym."
    ),
    Role.PROGRAMME_MANAGER: _(
        "Sees and runs every engagement and consultant, approves requests and privacy "
        "plans, manages rate cards, and reveals a consultant's identity with a reason."
    ),
    Role.FINANCE_OFFICER: _(
        "Compensation and payments: groups, approves and pays them, reveals payment "
        "details with a reason and exports them for the bank."
    ),
    Role.WELLBEING_LEAD: _(
        "Reads and writes the wellbeing notes of the consultants assigned to them, and "
        "reveals their contact details with a reason."
    ),
    Role.ADMINISTRATOR: _(
        "Everything else, every reveal audited: the admin site, people and their roles, "
        "second factors. Payment details stay with finance."
    ),
    Role.SURVIVOR_LEADER: _(
        "A consultant named to lead the survivor network: gives advisory reviews of "
        "incoming requests, leads learning events and peer circles, and sees the "
        "programme's figures in aggregate, never another consultant's identity. Named "
        "from the network's page, not here."
    ),
}


STAFF_ROLES = frozenset(
    {
        Role.PROGRAMME_STAFF,
        Role.PROGRAMME_MANAGER,
        Role.FINANCE_OFFICER,
        Role.WELLBEING_LEAD,
        Role.ADMINISTRATOR,
    }
)

# Model permissions per role, as "app_label.codename". "*" means every
# permission of every installed model. Domain apps extend this map as they
# gain models; sync_role_permissions() applies it after every migrate.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.CONSULTANT: set(),
    Role.PROGRAMME_STAFF: {"reports.add_reportjob"},
    Role.PROGRAMME_MANAGER: {"reports.add_reportjob"},
    Role.FINANCE_OFFICER: {"reports.add_reportjob"},
    Role.WELLBEING_LEAD: {"reports.add_reportjob"},
    Role.ADMINISTRATOR: {"*"},
    Role.SURVIVOR_LEADER: set(),
}

# consultants. Model permissions only for roles that act on every
# consultant; programme staff and wellbeing leads act per consultant through
# object permissions (consultants/access.py), never through these.
ROLE_PERMISSIONS[Role.PROGRAMME_MANAGER] |= {
    "consultants.view_consultant",
    "consultants.add_consultant",
    "consultants.change_consultant",
    "consultants.reveal_identity",
    "consultants.view_statuschange",
    "consultants.view_weeklyavailability",
    "consultants.add_weeklyavailability",
    "consultants.delete_weeklyavailability",
    "consultants.view_busyperiod",
    "consultants.add_busyperiod",
    "consultants.delete_busyperiod",
    "consultants.view_consentrecord",
    "consultants.add_consentrecord",
    "consultants.view_consenttext",
    "consultants.view_consenttexttranslation",
    "consultants.view_expertisetopic",
}
ROLE_PERMISSIONS[Role.PROGRAMME_STAFF] |= {
    "consultants.view_consenttext",
    "consultants.view_consenttexttranslation",
    "consultants.view_expertisetopic",
}
ROLE_PERMISSIONS[Role.FINANCE_OFFICER] |= {
    "consultants.view_consultant",
    "consultants.view_expertisetopic",
}
ROLE_PERMISSIONS[Role.WELLBEING_LEAD] |= {
    "consultants.view_consenttext",
    "consultants.view_consenttexttranslation",
    "consultants.view_expertisetopic",
}

# engagements. Informational model permissions: who may do what
# with which engagement is decided per object in engagements/access.py.
ROLE_PERMISSIONS[Role.PROGRAMME_MANAGER] |= {
    "engagements.view_engagement",
    "engagements.add_engagement",
    "engagements.change_engagement",
    "engagements.view_engagementtransition",
    "engagements.view_privacyplan",
    "engagements.add_privacyplan",
    "engagements.change_privacyplan",
    "engagements.view_participation",
    "engagements.add_participation",
    "engagements.change_participation",
    "engagements.view_participationchange",
    "engagements.view_debrief",
    "engagements.add_debrief",
    "engagements.view_feedback",
}
ROLE_PERMISSIONS[Role.PROGRAMME_STAFF] |= {
    "engagements.add_engagement",
    "engagements.add_privacyplan",
    "engagements.add_participation",
    "engagements.add_debrief",
}
ROLE_PERMISSIONS[Role.FINANCE_OFFICER] |= {
    "engagements.view_engagement",
    "engagements.view_participation",
}

# compensation. Informational: who may do what with which record
# is decided in compensation/access.py (revealing payment details and the
# bank export: the finance role only).
ROLE_PERMISSIONS[Role.FINANCE_OFFICER] |= {
    f"compensation.{action}_{model}"
    for model in ("ratecard", "allowancepolicy", "payment", "paymentline", "paymentmethod")
    for action in ("view", "add", "change")
} | {
    "compensation.view_agreement",
    "compensation.add_agreement",
    "compensation.view_agreementallowance",
    "compensation.view_timeentry",
    "compensation.view_expenseclaim",
    "compensation.view_receipt",
}
ROLE_PERMISSIONS[Role.PROGRAMME_MANAGER] |= {
    "compensation.view_ratecard",
    "compensation.add_ratecard",
    "compensation.change_ratecard",
    "compensation.view_allowancepolicy",
    "compensation.change_allowancepolicy",
    "compensation.view_agreement",
    "compensation.add_agreement",
    "compensation.view_timeentry",
    "compensation.change_timeentry",
    "compensation.view_expenseclaim",
    "compensation.change_expenseclaim",
}
ROLE_PERMISSIONS[Role.PROGRAMME_STAFF] |= {
    "compensation.view_ratecard",
    "compensation.view_allowancepolicy",
    "compensation.add_agreement",
    "compensation.add_timeentry",
    "compensation.add_expenseclaim",
}

# checklists. Informational model permissions: which checklist a
# person sees and which item they may tick is decided per object in
# checklists/access.py. Templates are edited by administrators only.
for _role in (
    Role.PROGRAMME_STAFF,
    Role.PROGRAMME_MANAGER,
    Role.FINANCE_OFFICER,
    Role.WELLBEING_LEAD,
):
    ROLE_PERMISSIONS[_role] |= {
        "checklists.view_checklist",
        "checklists.view_checklistitem",
        "checklists.change_checklistitem",
    }
ROLE_PERMISSIONS[Role.PROGRAMME_MANAGER] |= {
    "checklists.view_checklisttemplate",
    "checklists.view_templateitem",
}

_CACHE_ATTRIBUTE = "_tinig_roles"


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds, read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the per-request cache after the user's groups changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user) -> bool:
    """Anyone who works on the staff site: any staff role, or a superuser."""
    return bool(roles_of(user) & STAFF_ROLES) or bool(
        getattr(user, "is_superuser", False) and user.is_active
    )


def roles_held(user) -> frozenset[Role]:
    """The roles in a user's groups whether or not the account is active.

    For managing people only (``roles_of`` gives an inactive account no
    role at all, which is what every access rule wants); one query.
    """
    names = set(user.groups.values_list("name", flat=True))
    return frozenset(role for role in Role if role.value in names)


def is_staff_account(user) -> bool:
    """An account the people pages manage, active or not: a staff role, or
    admin-site access (``is_staff``, ``is_superuser``). Consultants are not."""
    return bool(user.is_staff or user.is_superuser or (roles_held(user) & STAFF_ROLES))


def is_consultant(user) -> bool:
    return has_role(user, Role.CONSULTANT)


def is_survivor_leader(user) -> bool:
    """A consultant named a survivor leader (both roles: the leader role
    alone, on an account that is not a consultant's, gives nothing)."""
    return roles_of(user) >= {Role.CONSULTANT, Role.SURVIVOR_LEADER}


def requires_mfa(user) -> bool:
    """Staff roles and anyone who can open the admin site must use MFA."""
    return is_staff_member(user) or bool(getattr(user, "is_staff", False))


def sync_role_permissions(apps=None) -> None:
    """Create the role groups and give each exactly its declared permissions."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every_permission = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in every_permission}
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        if "*" in wanted:
            permissions = list(by_name.values())
        else:
            permissions = [by_name[name] for name in sorted(wanted) if name in by_name]
        group.permissions.set(permissions)


def sync_role_permissions_on_migrate(sender, **kwargs):
    # post_migrate is sent once per app, in INSTALLED_APPS order, and each
    # app's permissions are created by its own signal. Syncing on the last app
    # that has models means every permission exists by then.
    from django.apps import apps as global_apps

    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if with_models and sender.label == with_models[-1].label:
        sync_role_permissions()
