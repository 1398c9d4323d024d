#!/usr/bin/env bash
# Starts a throwaway ClickHouse server for tests and local runs, with every file under one
# directory, and returns once it answers `SELECT 1` over HTTP. The Debian package's config is
# copied rather than edited so the system server (if any) is untouched.
#
#   deploy/local/clickhouse-server.sh start DIR HTTP_PORT [TCP_PORT] [INTERSERVER_PORT]
#   deploy/local/clickhouse-server.sh stop DIR
#
# On success `start` prints the HTTP url (e.g. http://127.0.0.1:18123) on stdout and leaves the
# server's pid in DIR/clickhouse-server.pid. Env: CLICKHOUSE_SERVER_BIN (default
# /usr/sbin/clickhouse-server), CLICKHOUSE_CONFIG_DIR (default /etc/clickhouse-server),
# CLICKHOUSE_START_TIMEOUT seconds (default 60).
set -euo pipefail

usage() {
  sed -n '6,7p' "$0" | sed 's/^#   //' >&2
  exit 2
}

start() {
  local dir="${1:-}" http_port="${2:-}"
  [[ -n "$dir" && -n "$http_port" ]] || usage
  local tcp_port="${3:-$((http_port + 1))}" interserver_port="${4:-$((http_port + 2))}"
  local bin="${CLICKHOUSE_SERVER_BIN:-/usr/sbin/clickhouse-server}"
  local config_dir="${CLICKHOUSE_CONFIG_DIR:-/etc/clickhouse-server}"
  local timeout="${CLICKHOUSE_START_TIMEOUT:-60}"
  if [[ ! -x "$bin" ]]; then
    echo "clickhouse-server.sh: $bin not found; install the clickhouse-server package or set CLICKHOUSE_SERVER_BIN" >&2
    exit 1
  fi
  local url="http://127.0.0.1:$http_port"
  if curl -fsS --max-time 2 "$url/" >/dev/null 2>&1; then
    echo "clickhouse-server.sh: port $http_port already answers; pick a free port" >&2
    exit 1
  fi
  mkdir -p "$dir"/{data,tmp,uf,fs}
  dir="$(cd "$dir" && pwd)"
  cp "$config_dir/config.xml" "$config_dir/users.xml" "$dir/"
  "$bin" --config-file="$dir/config.xml" -- \
    --path="$dir/data/" --tmp_path="$dir/tmp/" --user_files_path="$dir/uf/" --format_schema_path="$dir/fs/" \
    --http_port="$http_port" --tcp_port="$tcp_port" --interserver_http_port="$interserver_port" \
    --logger.log="$dir/ch.log" --logger.errorlog="$dir/ch.err.log" \
    >"$dir/stdout.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/clickhouse-server.pid"
  local deadline=$((SECONDS + timeout))
  # The pid check matters: a server that dies on a busy TCP port must not pass for one that answers.
  until kill -0 "$pid" 2>/dev/null && [[ "$(curl -fsS --max-time 2 "$url/?query=SELECT%201" 2>/dev/null)" == "1" ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "clickhouse-server.sh: server exited during startup; last log lines:" >&2
      tail -n 20 "$dir/ch.err.log" "$dir/stdout.log" >&2 2>/dev/null || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "clickhouse-server.sh: no answer on $url after ${timeout}s; see $dir/ch.err.log" >&2
      kill "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  echo "$url"
}

stop() {
  local dir="${1:-}"
  [[ -n "$dir" ]] || usage
  local pidfile="$dir/clickhouse-server.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) usage ;;
esac
