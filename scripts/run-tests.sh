#!/usr/bin/env bash
# Set up and run the whole test suite: lint, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-python.sh requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run --verbosity 0
exec .venv/bin/python -m pytest "$@"
