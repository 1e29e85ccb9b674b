#!/usr/bin/env bash
# Set up and run the site on SQLite with the sample data: http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-python.sh requirements.txt
# Production is the default of the settings; this command is for development.
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}

.venv/bin/python manage.py migrate --verbosity 0
# The import merges: a restart keeps what editors did in the admin (their entries, status
# changes, fixes); only what the sample files changed since the last start is taken in.
.venv/bin/python manage.py import_commitments fixtures/commitments --label "sample files"
# The date rules, as the daily job applies them, so the sample shows today's statuses.
.venv/bin/python manage.py update_statuses | tail -n 1
if [ -f fixtures/replies.jsonl ] && .venv/bin/python manage.py help import_replies >/dev/null 2>&1; then
    .venv/bin/python manage.py import_replies fixtures/replies.jsonl
fi

if ! .venv/bin/python manage.py shell --no-imports -c \
    "from django.contrib.auth import get_user_model as g; raise SystemExit(not g().objects.filter(is_superuser=True).exists())"; then
    if [ -t 0 ]; then
        echo "No administrator account yet: create one now (you can add editors later in the admin)."
        .venv/bin/python manage.py createsuperuser
    else
        echo "No administrator account yet. Create one with: .venv/bin/python manage.py createsuperuser"
    fi
fi

address=${ADDRESS:-127.0.0.1:8000}
echo "Serving on http://$address/  (admin: http://$address/admin/)  Ctrl-C stops it."
exec .venv/bin/python manage.py runserver "$address"
