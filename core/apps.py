from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core.signals import setting_changed

        from accounts import sealing
        from core import database_roles, encryption

        # The runtime role's grants follow every migrate (core/database_roles.py).
        post_migrate.connect(
            database_roles.setup_runtime_role_on_migrate, dispatch_uid="tinig.setup_runtime_role"
        )
        # The domain in every link Tinig sends (core/sites.py).
        from core import sites

        post_migrate.connect(sites.set_site_domain_on_migrate, dispatch_uid="tinig.site_domain")

        # Tests change FIELD_ENCRYPTION_KEY; the cipher follows.
        setting_changed.connect(encryption.reset_cipher_on_setting_change)
        # A consultant's sign-in address is sealed with this same fail-closed
        # cipher (accounts.fields.SealedTextField); accounts may not import
        # core, so core lends it.
        sealing.register_cipher(encrypt=encryption.encrypt_str, decrypt=encryption.decrypt_str)

        # Accounts' change history (activation, admin access, address
        # changes), registered here because accounts may not import core.
        # The address is masked like the sealed one: a staff member's is a
        # work address, but sealing an account changes a consultant's from
        # plain to token, and the old value must not survive in an entry.
        from django.contrib.auth import get_user_model

        from core import audit

        audit.register(
            get_user_model(),
            mask_fields=["email"],
            exclude_fields=["password", "last_login"],
        )
