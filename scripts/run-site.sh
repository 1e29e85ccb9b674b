#!/usr/bin/env bash
# Set up and run the site on SQLite with the sample data: http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-python.sh requirements.txt
# Production is the default of the settings; this command is for development.
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}

.venv/bin/python manage.py migrate --verbosity 0
.venv/bin/python manage.py import_commitments fixtures/commitments
if [ -f fixtures/replies.jsonl ] && .venv/bin/python manage.py help import_replies >/dev/null 2>&1; then
    .venv/bin/python manage.py import_replies fixtures/replies.jsonl
fi

if ! .venv/bin/python manage.py shell -c \
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
