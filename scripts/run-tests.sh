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

# pytest with each line of its output labelled, so two runs can share the terminal.
run_pytest() {
    local label=$1
    shift
    .venv/bin/python -m pytest "$@" 2>&1 | sed -u "s/^/[$label] /"
}

if [ "${SKIP_POSTGRES:-}" = 1 ]; then
    echo "== pytest on SQLite (PostgreSQL run skipped: SKIP_POSTGRES=1)"
    run_pytest sqlite "$@"
    exit 0
fi

# The SQLite and the PostgreSQL runs at once, one per core (each is one Python process):
# the whole command takes about as long as the longer run instead of both in turn. They
# share nothing: each its own database and Redis database number, tmp_path, free ports and
# pytest cache. Job control gives each run its own process group, so an interrupt stops
# every process of both (pytest included) before the servers are stopped.
echo "== pytest on SQLite and, at the same time, on PostgreSQL (browser and nginx tests on SQLite only)"
set -m
run_pytest sqlite "$@" &
sqlite_run=$!
(
    # shellcheck source=start-postgres.sh
    source scripts/start-postgres.sh
    if [ -n "${redis_port:-}" ]; then
        export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/1"
    fi
    run_pytest postgres -m "not browser and not deploy" -o cache_dir=.pytest_cache/postgres "$@"
) &
postgres_run=$!
set +m
stop_runs() {
    kill -TERM -- "-$sqlite_run" "-$postgres_run" 2>/dev/null || true
    wait "$sqlite_run" "$postgres_run" 2>/dev/null || true
    exit 130
}
trap stop_runs INT TERM
sqlite_status=0
postgres_status=0
wait "$sqlite_run" || sqlite_status=$?
wait "$postgres_run" || postgres_status=$?
echo "== SQLite run: exit $sqlite_status; PostgreSQL run: exit $postgres_status"
exit $((sqlite_status != 0 ? sqlite_status : postgres_status))
