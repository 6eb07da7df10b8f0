#!/usr/bin/env python
"""Django's command-line utility. Defaults to development settings."""

import os
import sys

# The commands that change the schema or the grants connect as the owner
# role (DATABASE_OWNER_URL; config/settings/base.py); every other command,
# like the web and the worker, as the runtime role of DATABASE_URL. (A
# backup's pg_dump connects as the owner too, whoever runs it.)
OWNER_COMMANDS = {"migrate", "setup_runtime_role", "restore"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ["TINIG_DB_ROLE"] = "owner"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
