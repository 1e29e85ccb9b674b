"""Settings for the test suite: the development settings, asked for explicitly.

Production is the default of config.settings; tests that check production behaviour run
manage.py in a subprocess with a production environment (tests/test_security.py).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
# Never the deployment's configuration file, even when the suite runs on a server.
os.environ.setdefault("TRACKER_ENV_FILE", "")

from config.settings import *  # noqa: F403
