#!/usr/bin/env bash
# A local Jaeger (v2 all-in-one, built by scripts/install-jaeger.sh) to see the sagas' traces:
# OTLP/HTTP in, traces kept in memory, the query API (and UI, when the build embeds it) out.
#
#   scripts/jaeger.sh up       build if needed, start (reuses one that runs on these ports), wait
#                              until it answers; prints the env to use on stdout:
#                                eval "$(scripts/jaeger.sh up)"
#   scripts/jaeger.sh down     stop it (its traces are gone: they live in memory)
#   scripts/jaeger.sh status   say whether it runs
#   scripts/jaeger.sh env      print the env lines again
#
# The env lines are JAEGER_OTLP_ENDPOINT (where services export: give it to them as
# OTEL_EXPORTER_OTLP_ENDPOINT) and JAEGER_QUERY_URL (the query API, `/api/traces?service=…`, and
# the UI's `/trace/<traceId>`). They are not OTEL_* themselves, so that evaluating them does not
# turn tracing on for every process of the shell (the test suite, for one). To trace a run:
#   OTEL_EXPORTER_OTLP_ENDPOINT=$JAEGER_OTLP_ENDPOINT npm start
#
# Settings (environment), ports chosen away from Jaeger's defaults so another Jaeger can run:
#   JAEGER_OTLP_HTTP_PORT    OTLP/HTTP receiver (default 14318; Jaeger's default is 4318)
#   JAEGER_QUERY_PORT        query API and UI (default 16696; Jaeger's default is 16686)
#   JAEGER_QUERY_GRPC_PORT   query gRPC API (default JAEGER_QUERY_PORT-1)
#   JAEGER_HOST              interface to listen on (default 127.0.0.1)
#   INFRA_DIR                where its pid and log live (default <repo>/.infra, git-ignored)
#
# Progress goes to stderr; stdout carries only the `export` lines, so `eval` is safe.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=jaeger
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

export JAEGER_OTLP_HTTP_PORT=${JAEGER_OTLP_HTTP_PORT:-14318}
export JAEGER_QUERY_PORT=${JAEGER_QUERY_PORT:-16696}
export JAEGER_QUERY_GRPC_PORT=${JAEGER_QUERY_GRPC_PORT:-$((JAEGER_QUERY_PORT - 1))}
export JAEGER_HOST=${JAEGER_HOST:-127.0.0.1}
INFRA_DIR=${INFRA_DIR:-$root/.infra}
state_dir=$INFRA_DIR/jaeger-$JAEGER_QUERY_PORT
pid_file=$state_dir/jaeger.pid
log_file=$state_dir/jaeger.log
# What clients dial: the listening interface, or loopback when it listens on all of them.
client_host=$JAEGER_HOST
[ "$client_host" != 0.0.0.0 ] || client_host=127.0.0.1
query_url=http://$client_host:$JAEGER_QUERY_PORT

pid_alive() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
answers() { curl -fsS -o /dev/null --max-time 2 "$query_url/api/services" 2>/dev/null; }

print_env() {
  echo "export JAEGER_OTLP_ENDPOINT=http://$client_host:$JAEGER_OTLP_HTTP_PORT"
  echo "export JAEGER_QUERY_URL=$query_url"
}

up() {
  if pid_alive && answers; then
    log "already running (pid $(cat "$pid_file")), query API at $query_url"
    print_env
    return 0
  fi
  need curl curl "checks that Jaeger answers"
  local bin
  bin=$(bash "$here/install-jaeger.sh")
  mkdir -p "$state_dir"
  log "starting $bin: OTLP/HTTP on $JAEGER_HOST:$JAEGER_OTLP_HTTP_PORT, query on $JAEGER_HOST:$JAEGER_QUERY_PORT"
  # setsid: its own session, so that the shell that started it can exit (CI, npm test).
  setsid "$bin" --config "$here/infra/jaeger.yaml" >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  local waited=0
  until answers; do
    if ! pid_alive; then
      tail -n 20 "$log_file" >&2 || true
      die "jaeger exited at start (log: $log_file)"
    fi
    if [ "$waited" -ge 300 ]; then die "jaeger did not answer on $query_url within 30 s (log: $log_file)"; fi
    sleep 0.1
    waited=$((waited + 1))
  done
  log "ready: query API at $query_url"
  print_env
}

down() {
  if ! pid_alive; then
    log "not running"
    rm -f "$pid_file"
    return 0
  fi
  local pid
  pid=$(cat "$pid_file")
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 10 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  log "stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status)
    if pid_alive && answers; then
      log "running (pid $(cat "$pid_file")), query API at $query_url"
    else
      log "not running"
      exit 1
    fi
    ;;
  env) print_env ;;
  *)
    echo "usage: scripts/jaeger.sh up|down|status|env" >&2
    exit 2
    ;;
esac
