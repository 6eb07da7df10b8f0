from django.apps import AppConfig


class EncryptionAppConfig(AppConfig):
    name = "tests.encryption_app"
    label = "encryption_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import audit

        from .models import Contact, Person

        audit.register(Person)
        audit.register(Contact)
