from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core.signals import setting_changed

        from core import encryption

        # Tests change FIELD_ENCRYPTION_KEY; the cipher follows.
        setting_changed.connect(encryption.reset_cipher_on_setting_change)
