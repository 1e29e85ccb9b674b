"""gunicorn's settings for the service (deploy/systemd/tracker.service): gunicorn -c this file.

Read again on every reload (systemctl reload tracker, a HUP), as the workers' Django settings
are: a changed /etc/tracker/tracker.env takes effect without a restart.
"""

import os
import sys
import time
from pathlib import Path

# The checkout this file belongs to, so that config.envfile imports whatever the cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.envfile import read_env_file

# Read, not loaded into the master's environment: the workers it forks must read the file
# themselves, or a reload would hand them the values of the first start.
_file = read_env_file()


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or _file.get(name) or default


bind = [_setting("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(_setting("GUNICORN_WORKERS", "2"))
# A request still running when a reload retires its worker gets this long to finish.
graceful_timeout = 30
timeout = 30
control_socket_disable = True  # gunicorn 23+ would create ~/.gunicorn/ in the service's home

# Both logs to the journal, in the site's time zone (Django's workers switch to TIME_ZONE;
# the master would otherwise write UTC), with the offset written out.
os.environ["TZ"] = "Asia/Taipei"
time.tzset()
accesslog = "-"
errorlog = "-"
# The client's address from X-Forwarded-For, which nginx overwrites (deploy/nginx), then the
# time taken in milliseconds.
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)
