#!/usr/bin/env bash
# Local infrastructure that is real: a single-node KRaft Apache Kafka broker run from its jars on
# Maven Central, and Debian's redis-server with AOF on. No Docker.
#
#   scripts/infra.sh up       start both (reuses what already runs); prints the env to use on stdout:
#                               eval "$(scripts/infra.sh up)"
#   scripts/infra.sh down     stop both and delete their data
#   scripts/infra.sh status   say what runs
#   scripts/infra.sh env      print the env lines again
#   scripts/infra.sh fetch    install prerequisites and fetch the Kafka jars, start nothing
#   scripts/infra.sh kill  kafka|redis   SIGKILL one of them and keep its data (a crash, for fault tests)
#   scripts/infra.sh start kafka|redis   start one of them on the data it has (after `kill`)
#
# INFRA_TOPOLOGY=cluster (default `single`, all of the above) runs the same commands on a cluster:
# 3 KRaft nodes (each broker and controller; replication factor 3, min.insync.replicas 2) and a
# Redis Cluster of 3 primaries + 3 replicas with AOF on. The env names every broker
# (KAFKA_BROKERS=a,b,c) and every Redis node (REDIS_CLUSTER_NODES=host:port,...; no REDIS_URL).
#   INFRA_TOPOLOGY=cluster scripts/infra.sh kill  kafka 1..3 | redis 1..6|primary
#                          SIGKILL one node, data kept; prints the node's number
#   INFRA_TOPOLOGY=cluster scripts/infra.sh start kafka 1..3 | redis 1..6
#                          start it again on its data (a Redis node rejoins, as a replica if its
#                          replica was promoted meanwhile)
#   KAFKA_CLUSTER_PORT     broker 1's listener (default 19292); node n: +2(n-1), controller +1
#   REDIS_CLUSTER_PORT     Redis node 1 (default 16579); node n: +(n-1)
#   REDIS_CLUSTER_NODE_TIMEOUT  ms before a silent primary's replica is promoted (default 2000)
#
# Settings (environment):
#   KAFKA_VERSION          broker version from Maven Central (default 3.9.2; 4.x works too)
#   KAFKA_PORT             client listener (default 19092); KAFKA_CONTROLLER_PORT (default KAFKA_PORT+1)
#   REDIS_PORT             (default 16379)
#   INFRA_DIR              where jars, data, logs and pids live (default <repo>/.infra, git-ignored)
#   INFRA_CACHE_DIR        where the broker's jars are kept (default $INFRA_DIR/cache): a second
#                          broker with its own INFRA_DIR can share the jars of the first
#   KAFKA_HEAP             JVM heap for the broker (default 768m)
#
# Progress goes to stderr; stdout carries only the `export` lines, so `eval` is safe.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
REDIS_PORT=${REDIS_PORT:-16379}
INFRA_DIR=${INFRA_DIR:-$root/.infra}
KAFKA_HEAP=${KAFKA_HEAP:-768m}

kafka_major=${KAFKA_VERSION%%.*}
case "$kafka_major" in
  3 | 4) ;;
  *) die "KAFKA_VERSION=$KAFKA_VERSION: only the 3.x and 4.x lines are supported" ;;
esac

INFRA_CACHE_DIR=${INFRA_CACHE_DIR:-$INFRA_DIR/cache}
jars_dir="$INFRA_CACHE_DIR/kafka-$KAFKA_VERSION/lib"
kafka_dir="$INFRA_DIR/kafka-$KAFKA_PORT"
redis_dir="$INFRA_DIR/redis-$REDIS_PORT"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

print_env() {
  echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

fetch_kafka() {
  need_kafka_prereqs
  if [ -f "$jars_dir/.complete" ]; then return 0; fi
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $jars_dir"
  rm -rf "$jars_dir" && mkdir -p "$jars_dir"
  local started=$SECONDS
  if ! mvn -q -B -f "$here/infra/kafka-pom.xml" -P "kafka$kafka_major" \
      -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$jars_dir" >"$INFRA_DIR/mvn-$KAFKA_VERSION.log" 2>&1; then
    tail -20 "$INFRA_DIR/mvn-$KAFKA_VERSION.log" >&2
    die "could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central (log: $INFRA_DIR/mvn-$KAFKA_VERSION.log)"
  fi
  [ -f "$jars_dir/kafka_2.13-$KAFKA_VERSION.jar" ] || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is not in $jars_dir"
  touch "$jars_dir/.complete"
  log "fetched $(ls "$jars_dir" | wc -l) jars in $((SECONDS - started))s"
}

# The java command line for the broker's tools and server, with the logging of its major line.
kafka_java_cmd() {
  local logging
  if [ "$kafka_major" = 3 ]; then
    logging="-Dlog4j.configuration=file:$here/infra/log4j.properties"
  else
    logging="-Dlog4j2.configurationFile=$here/infra/log4j2.xml"
  fi
  kafka_java=(java "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true "$logging" -cp "$jars_dir/*")
}

# kafka_up [keep]: `keep` starts the broker on the data a killed broker left (a restart after a
# crash); without it every start formats a fresh, disposable data directory.
kafka_up() {
  local keep=${1:-}
  if pid_alive "$kafka_dir/kafka.pid"; then
    log "Kafka already runs on 127.0.0.1:$KAFKA_PORT (pid $(cat "$kafka_dir/kafka.pid"), $(cat "$kafka_dir/version"))"
    return 0
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by something this script did not start; set KAFKA_PORT"
  port_open "$KAFKA_CONTROLLER_PORT" && die "port $KAFKA_CONTROLLER_PORT is taken; set KAFKA_CONTROLLER_PORT"
  fetch_kafka
  if [ "$keep" = keep ] && [ -f "$kafka_dir/data/meta.properties" ]; then
    log "restarting Kafka on its data in $kafka_dir/data"
    rm -f "$kafka_dir/kafka.pid"
  else
    rm -rf "$kafka_dir" && mkdir -p "$kafka_dir/data"
    sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
        -e "s#@DATA_DIR@#$kafka_dir/data#g" "$here/infra/server.properties.template" >"$kafka_dir/server.properties"
    local cluster_id
    kafka_java_cmd
    cluster_id=$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    "${kafka_java[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$kafka_dir/server.properties" >"$kafka_dir/format.log" 2>&1 \
      || { cat "$kafka_dir/format.log" >&2; die "formatting the KRaft storage failed"; }
  fi
  kafka_java_cmd
  local started=$SECONDS
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (KRaft, data in $kafka_dir/data)"
  # setsid: the broker outlives the shell that started it and ignores its terminal's signals.
  # setsid may fork, so the broker writes its own pid (the shell's, which exec turns into java).
  # exec all the way down, so no shell of ours lingers holding the caller's stdout.
  (cd "$kafka_dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$kafka_dir/kafka.pid" \
      "${kafka_java[@]}" kafka.Kafka "$kafka_dir/server.properties" >"$kafka_dir/kafka.log" 2>&1 </dev/null) &
  local wait_pid=$((SECONDS + 5))
  until [ -s "$kafka_dir/kafka.pid" ]; do
    [ $SECONDS -lt $wait_pid ] || die "the Kafka broker process did not start"
    sleep 0.05
  done
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until grep -q 'Kafka Server started' "$kafka_dir/kafka.log" 2>/dev/null && port_open "$KAFKA_PORT"; do
    if ! pid_alive "$kafka_dir/kafka.pid"; then
      tail -30 "$kafka_dir/kafka.log" >&2
      die "the Kafka broker exited during start-up (log: $kafka_dir/kafka.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -30 "$kafka_dir/kafka.log" >&2; die "Kafka did not answer within ${KAFKA_START_TIMEOUT:-90}s"; }
    sleep 0.25
  done
  local version
  # The broker logs its version on 3.x; 4.x does not, so fall back to the version of the jar it runs.
  version=$(grep -m1 -oE 'Kafka version: [^ ]+' "$kafka_dir/kafka.log" | awk '{print $3}' || true)
  [ -n "$version" ] || version=$(cd "$jars_dir" && ls kafka_2.13-*.jar | sed -E 's/kafka_2\.13-(.*)\.jar/\1/')
  echo "Kafka ${version:-$KAFKA_VERSION}" >"$kafka_dir/version"
  log "Kafka broker version ${version:-unknown} is up on 127.0.0.1:$KAFKA_PORT after $((SECONDS - started))s (pid $(cat "$kafka_dir/kafka.pid"))"
}

kafka_down() {
  local pidfile="$kafka_dir/kafka.pid"
  if pid_alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    log "stopping Kafka (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        log "Kafka did not stop within 30s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.25
    done
  fi
  # The next start needs both ports; a broker that just exited may hold them a moment longer.
  local deadline=$((SECONDS + 10))
  while { port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT"; } && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  rm -rf "$kafka_dir"
}

# redis_up [keep]: `keep` starts Redis on the AOF a killed Redis left (it replays it).
redis_up() {
  local keep=${1:-}
  if pid_alive "$redis_dir/redis.pid"; then
    log "Redis already runs on 127.0.0.1:$REDIS_PORT (pid $(cat "$redis_dir/redis.pid"))"
    return 0
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something this script did not start; set REDIS_PORT"
  need_redis_prereqs
  if [ "$keep" = keep ] && [ -d "$redis_dir/data" ]; then
    log "restarting Redis on its AOF in $redis_dir/data"
    rm -f "$redis_dir/redis.pid"
  else
    rm -rf "$redis_dir" && mkdir -p "$redis_dir/data"
  fi
  # AOF with fsync every second: the durability the design documents (up to 1 s lost on a crash).
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$redis_dir/data" \
    --appendonly yes --appendfsync everysec --save '' \
    --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" >&2
  local deadline=$((SECONDS + 20))
  until redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || { tail -20 "$redis_dir/redis.log" >&2; die "Redis did not answer within 20s"; }
    sleep 0.1
  done
  local version
  version=$(redis-cli -p "$REDIS_PORT" info server | awk -F: '/^redis_version/ {print $2}' | tr -d '\r')
  log "Redis version $version is up on 127.0.0.1:$REDIS_PORT (AOF everysec, pid $(cat "$redis_dir/redis.pid"))"
}

redis_down() {
  if pid_alive "$redis_dir/redis.pid"; then
    log "stopping Redis (pid $(cat "$redis_dir/redis.pid"))"
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill -TERM "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while pid_alive "$redis_dir/redis.pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  fi
  rm -rf "$redis_dir"
}

# kill_one kafka|redis: SIGKILL, data kept, and wait until the port is free for `start`.
kill_one() {
  local pidfile port
  case "$1" in
    kafka) pidfile="$kafka_dir/kafka.pid" port=$KAFKA_PORT ;;
    redis) pidfile="$redis_dir/redis.pid" port=$REDIS_PORT ;;
    *) die "kill: say kafka or redis" ;;
  esac
  pid_alive "$pidfile" || die "$1 is not running"
  log "killing $1 (pid $(cat "$pidfile"), SIGKILL; data kept)"
  kill -KILL "$(cat "$pidfile")"
  local deadline=$((SECONDS + 10))
  while { pid_alive "$pidfile" || port_open "$port"; } && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}

status() {
  if pid_alive "$kafka_dir/kafka.pid"; then
    log "Kafka: running on 127.0.0.1:$KAFKA_PORT ($(cat "$kafka_dir/version" 2>/dev/null))"
  else log "Kafka: not running (port $KAFKA_PORT)"; fi
  if pid_alive "$redis_dir/redis.pid"; then
    log "Redis: running on 127.0.0.1:$REDIS_PORT ($(redis-cli -p "$REDIS_PORT" info server | awk -F: '/^redis_version/ {print $2}' | tr -d '\r'))"
  else log "Redis: not running (port $REDIS_PORT)"; fi
  pid_alive "$kafka_dir/kafka.pid" && pid_alive "$redis_dir/redis.pid"
}

usage() {
  sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

mkdir -p "$INFRA_DIR"
case "${INFRA_TOPOLOGY:-single}" in
  single) ;;
  cluster)
    # shellcheck source=lib/infra-cluster.sh
    . "$here/lib/infra-cluster.sh"
    cluster_main "$@"
    exit 0
    ;;
  *) die "INFRA_TOPOLOGY=$INFRA_TOPOLOGY: say single or cluster" ;;
esac
case "${1:-}" in
  up)
    redis_up
    kafka_up
    print_env
    ;;
  down)
    kafka_down
    redis_down
    ;;
  kill) kill_one "${2:-}" ;;
  start)
    case "${2:-}" in
      kafka) kafka_up keep ;;
      redis) redis_up keep ;;
      *) die "start: say kafka or redis" ;;
    esac
    ;;
  status) status ;;
  env) print_env ;;
  fetch)
    need_redis_prereqs
    fetch_kafka
    ;;
  *) usage ;;
esac
