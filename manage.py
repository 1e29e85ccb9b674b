#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018  (read the settings now, to report them in one line)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"manage.py: configuration error: {error}\n")
        sys.exit(2)
    from django.db import DatabaseError, connection

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as error:
        # A database that cannot be opened, is read-only or lacks its tables: say so in one
        # line naming it, as for a bad setting, not with a traceback.
        name = connection.settings_dict.get("NAME")
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.stderr.write(f"manage.py: database error ({name}): {message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
