# Sourced by run-tests.sh: start a throwaway redis-server from Debian's package on a free port,
# export TEST_REDIS_URL for the caching tests (which then run against it as well as against
# each worker's memory), and stop it and remove its folder when the shell exits.
set -euo pipefail

if ! command -v redis-server >/dev/null; then
    echo "redis-server is not installed (apt-get install redis-server): the shared-cache tests will skip" >&2
    return 0
fi
redis_dir=$(mktemp -d /tmp/tracker-redis.XXXXXX)
# A free port, so two test runs on one machine do not collide.
redis_port=${REDIS_TEST_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# No snapshots, no append-only file: the tests flush it anyway.
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/log" --daemonize yes
for _ in $(seq 50); do
    [ -s "$redis_dir/redis.pid" ] && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
stop_redis() {
    if [ -s "$redis_dir/redis.pid" ]; then
        local pid
        pid=$(cat "$redis_dir/redis.pid")
        kill "$pid" 2>/dev/null || true
        # Redis writes its last log lines as it exits: removing its folder before then
        # failed ("Directory not empty") and turned a green run red.
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "$redis_dir"
}
trap stop_redis EXIT
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
