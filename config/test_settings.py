"""Settings for the test suite: the development settings, asked for explicitly.

Production is the default of config.settings; tests that check production behaviour run
manage.py in a subprocess with a production environment (tests/test_security.py).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Never the deployment's configuration file, even when the suite runs on a server.
os.environ.setdefault("TRACKER_ENV_FILE", "")

from config.settings import *  # noqa: F403

# Hashing a password the production way (PBKDF2, a million rounds) costs about 0.4 s of CPU,
# and the suite creates and logs in hundreds of users: Django's documented speed-up for
# tests. Production keeps the default hashers (the tests that run manage.py with production
# settings use them).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise indexes every file of STATIC_ROOT each time a test client builds the
# middleware (hundreds of clients; pytest-django turns DEBUG off, which would make it scan):
# when a `collectstatic` has filled STATIC_ROOT (the site command, the benchmarks), that was
# a quarter of the admin tests' time. Finding files on demand serves the same files.
WHITENOISE_AUTOREFRESH = True
