"""Re-hash every sealed account's lookup token with the newest key in
LOOKUP_HMAC_KEYS, and seal any consultant account still holding a plain
address.

The sibling of ``rotate_encryption_keys``, step by step:

1. put the new key first in LOOKUP_HMAC_KEYS, keep the old ones after it;
2. deploy that list to every web and worker process (sign-in then finds an
   account under any of the keys);
3. run this command; re-run it until it reports nothing left to re-hash;
4. drop the old keys from the list.

A token is a keyed hash, so re-keying needs the address: each sealed
account's address is decrypted (``User.sealed_email``, with
FIELD_ENCRYPTION_KEY) and hashed again; the address itself is never
printed. Accounts are walked in batches by primary key, each batch one
transaction that locks its rows first, so a sign-in or an erasure at the
same moment waits or is waited for. Safe to re-run and to interrupt.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import sealing
from accounts.addresses import account_reseal, account_seal
from accounts.models import User
from accounts.roles import Role


class Command(BaseCommand):
    help = (
        "Re-hash sealed accounts' lookup tokens with the newest key in LOOKUP_HMAC_KEYS "
        "and seal consultant accounts that hold a plain address. Prints counts, never values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = sealing.lookup_keys()  # a wrong list fails here, before any change
        self.stdout.write(f"Re-hashing with key 1 of {len(keys)} in LOOKUP_HMAC_KEYS")

        sealed = rehashed = 0
        plain_consultants = (
            User.objects.filter(groups__name=Role.CONSULTANT.value)
            .exclude(email__endswith="@" + sealing.LOOKUP_DOMAIN)
            .exclude(email__endswith="@erased.invalid")
            .values_list("pk", flat=True)
            .distinct()
        )
        for pk in list(plain_consultants):
            account_seal(user=User(pk=pk))
            sealed += 1

        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    User.objects.select_for_update()
                    .filter(pk__gt=last_pk, email__endswith="@" + sealing.LOOKUP_DOMAIN)
                    .order_by("pk")[:batch_size]
                )
                if not batch:
                    break
                for user in batch:
                    rehashed += account_reseal(user=user)
            last_pk = batch[-1].pk

        self.stdout.write(f"consultant accounts sealed: {sealed}")
        self.stdout.write(f"sealed accounts re-hashed: {rehashed}")
        self.stdout.write(
            self.style.SUCCESS(
                "Every sealed account is under the newest key. "
                "Older keys may now be removed from LOOKUP_HMAC_KEYS."
            )
        )
