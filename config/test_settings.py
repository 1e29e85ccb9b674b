"""Settings for the test suite: the development settings, asked for explicitly.

Production is the default of config.settings; tests that check production behaviour run
manage.py in a subprocess with a production environment (tests/test_security.py).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: F403
