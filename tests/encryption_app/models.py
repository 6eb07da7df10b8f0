from django.db import models

from core.encryption import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedEmailField,
    EncryptedTextField,
)


class Person(models.Model):
    """Stands for a consultant profile: a pseudonym in clear, identity encrypted."""

    pseudonym = models.CharField(max_length=80)
    legal_name = EncryptedCharField(max_length=200)
    notes = EncryptedTextField(blank=True)
    email = EncryptedEmailField(blank=True)
    birth_date = EncryptedDateField(null=True, blank=True)

    def __str__(self):
        # Like every real model: the pseudonym, never an encrypted value.
        return self.pseudonym


class Contact(models.Model):
    """A second model, so rotation and audit cover more than one table."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    label = models.CharField(max_length=40)
    phone = EncryptedCharField(max_length=40, null=True, blank=True)

    def __str__(self):
        return self.label
