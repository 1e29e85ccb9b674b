#!/usr/bin/env bash
# Set up and run the whole test suite: lint, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: Playwright drives Debian's Chromium (without the CJK
# fonts Chinese renders as empty boxes in screenshots); the suite runs a second time on a
# PostgreSQL server it starts itself; Java runs the HTML checker (vnu.jar). The deploy tests
# run the shipped nginx site (with a certificate from openssl) in front of gunicorn and check
# the systemd units with systemd-analyze. The caching tests run a second time against a
# redis-server the script starts (the shared cache, DJANGO_CACHE_URL).
debian_packages=(chromium fonts-noto-cjk postgresql openjdk-17-jre-headless nginx openssl systemd
    redis-server)
missing=()
for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Missing Debian packages: ${missing[*]} (install them, or tests will skip or fail)" >&2
    fi
fi

source scripts/setup-python.sh requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
DJANGO_DEBUG=true .venv/bin/python manage.py makemigrations --check --dry-run --verbosity 0
# shellcheck source=start-redis.sh
source scripts/start-redis.sh
echo "== pytest on SQLite"
.venv/bin/python -m pytest "$@"

if [ "${SKIP_POSTGRES:-}" = 1 ]; then
    echo "== PostgreSQL run skipped (SKIP_POSTGRES=1)"
    exit 0
fi
echo "== pytest on PostgreSQL (browser and nginx tests ran on SQLite above)"
source scripts/start-postgres.sh
# start-postgres.sh's trap replaced start-redis.sh's: stop both.
if declare -F stop_redis >/dev/null; then
    trap 'stop_postgres; stop_redis' EXIT
fi
.venv/bin/python -m pytest -m "not browser and not deploy" "$@"
