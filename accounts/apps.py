from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from allauth.account.signals import user_logged_in

        from accounts import language, roles

        user_logged_in.connect(
            language.adopt_chosen_language, dispatch_uid="tinig.adopt_chosen_language"
        )

        # Role permissions are declared in accounts/roles.py; after every
        # migrate the groups are brought in line (see the handler for when),
        # so a permission that a new model adds reaches its roles without a
        # hand-written migration.
        post_migrate.connect(
            roles.sync_role_permissions_on_migrate, dispatch_uid="tinig.sync_role_permissions"
        )
