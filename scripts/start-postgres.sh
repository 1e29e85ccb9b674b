# Sourced by run-tests.sh: start a throwaway PostgreSQL cluster from Debian's packages (no
# Docker), export DATABASE_URL for it, and stop and remove it when the shell exits.
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    return 1
fi
pg_dir=$(mktemp -d /tmp/tracker-pg.XXXXXX)
# A free port, so two test runs on one machine do not collide.
pg_port=${PG_TEST_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
as_owner=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg_dir"
    as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U tracker --auth=trust -E UTF8 \
    --locale=C.UTF-8 >/dev/null
# Tests do not need durability; benchmarks (PG_DURABLE=1) run with PostgreSQL's defaults.
pg_options="-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1"
if [ "${PG_DURABLE:-0}" != 1 ]; then
    pg_options="$pg_options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "$pg_options" \
    start >/dev/null
stop_postgres() {
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT
"${as_owner[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U tracker tracker
export DATABASE_URL="postgres://tracker@127.0.0.1:$pg_port/tracker"
