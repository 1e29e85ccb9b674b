#!/bin/bash
# Run a command against a new, empty PostgreSQL cluster started from Debian's packages, with
# PostgreSQL's default durability settings; the cluster is removed afterwards.
#
#     bash bench/with_postgres.sh .venv/bin/python bench/load.py /commitments/
#
# The command sees DATABASE_URL; the database is migrated first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_DURABLE=1
# shellcheck source=../scripts/start-postgres.sh
source scripts/start-postgres.sh
# Migrating needs no production secrets; the command itself chooses its own settings.
DJANGO_DEBUG=true .venv/bin/python manage.py migrate -v0
"$@"
