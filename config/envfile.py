"""The deployment's configuration file: read the same way by the settings and gunicorn.

One file of NAME=value lines (python-dotenv's syntax), so that the shell, manage.py, gunicorn
and the timers' jobs cannot disagree about its quoting, and nobody has to remember to load
it. Owned by root and readable by the service's group only: the service must not be able to
rewrite its own secrets, nor other users read them.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv.parser import parse_stream

DEFAULT_ENV_FILE = "/etc/tracker/tracker.env"


def env_file_path() -> str:
    """Return the file to read: TRACKER_ENV_FILE, or the default (empty: none)."""
    return os.environ.get("TRACKER_ENV_FILE", DEFAULT_ENV_FILE)


def read_env_file(path: str | None = None) -> dict[str, str]:
    """Return the file's variables, refusing a file others can read or a line that is lost."""
    if path is None:
        path = env_file_path()
    if not path:
        return {}
    try:
        mode = Path(path).stat().st_mode
        with open(path, encoding="utf-8") as stream:
            bindings = list(parse_stream(stream))
    except FileNotFoundError:
        if os.environ.get("TRACKER_ENV_FILE"):
            raise ImproperlyConfigured(
                f"TRACKER_ENV_FILE names {path}, which does not exist"
            ) from None
        return {}
    except OSError as error:
        raise ImproperlyConfigured(
            f"cannot read {path}: {error.strerror} (run as root or as the service's user)"
        ) from None
    if mode & 0o027:
        raise ImproperlyConfigured(
            f"{path} has mode {mode & 0o777:04o}: other users can read it or its group can "
            f"write it (chown root:tracker {path} && chmod 640 {path})"
        )
    values = {}
    for binding in bindings:
        # python-dotenv would only warn and skip the line: a setting silently lost. The
        # line itself is not shown, as it may hold a secret.
        if binding.error:
            raise ImproperlyConfigured(
                f"{path}, line {binding.original.line}: not NAME=value (an unclosed quote?)"
            )
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
    return values


def load_env_file() -> None:
    """Put the file's variables into the environment; variables already set there win."""
    for name, value in read_env_file().items():
        os.environ.setdefault(name, value)
