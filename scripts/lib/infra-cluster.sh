# The cluster topology of scripts/infra.sh (INFRA_TOPOLOGY=cluster), sourced by it after its own
# helpers (log, die, port_open, pid_alive, fetch_kafka, kafka_java_cmd): three KRaft nodes, each
# broker and controller, with replication factor 3 and min ISR 2; a Redis Cluster of three
# primaries and three replicas with AOF on. Everything on loopback, from the same Maven jars and
# Debian packages as the single topology.
#
# Ports: broker n (1..3) listens on KAFKA_CLUSTER_PORT + 2(n-1), its controller one above;
# Redis node n (1..6) on REDIS_CLUSTER_PORT + n - 1. Nodes 1..3 start as primaries, 4..6 as
# their replicas (redis-cli picks the pairs), which a failover changes.

KAFKA_CLUSTER_PORT=${KAFKA_CLUSTER_PORT:-19292}
REDIS_CLUSTER_PORT=${REDIS_CLUSTER_PORT:-16579}
# How long the other nodes wait before they call a silent primary failed and promote its replica
# (Redis's default is 15 s; 2 s keeps a local failover quick and still far above loopback hiccups).
REDIS_CLUSTER_NODE_TIMEOUT=${REDIS_CLUSTER_NODE_TIMEOUT:-2000}
CLUSTER_KAFKA_NODES=3
CLUSTER_REDIS_NODES=6

cluster_kafka_dir="$INFRA_DIR/kafka-cluster-$KAFKA_CLUSTER_PORT"
cluster_redis_dir="$INFRA_DIR/redis-cluster-$REDIS_CLUSTER_PORT"

broker_port() { echo $((KAFKA_CLUSTER_PORT + 2 * ($1 - 1))); }
broker_controller_port() { echo $((KAFKA_CLUSTER_PORT + 2 * ($1 - 1) + 1)); }
redis_node_port() { echo $((REDIS_CLUSTER_PORT + $1 - 1)); }

cluster_print_env() {
  local brokers="" nodes="" n
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do brokers+="${brokers:+,}127.0.0.1:$(broker_port "$n")"; done
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do nodes+="${nodes:+,}127.0.0.1:$(redis_node_port "$n")"; done
  echo "export KAFKA_BROKERS=$brokers"
  echo "export REDIS_CLUSTER_NODES=$nodes"
  # Topics the processes create get a replica on every broker.
  echo "export SAGA_TOPIC_REPLICATION_FACTOR=3"
}

# broker_start n: starts node n on the data it has (formatted by cluster_kafka_up).
broker_start() {
  local n=$1 dir="$cluster_kafka_dir/node-$1" port
  port=$(broker_port "$n")
  if pid_alive "$dir/kafka.pid"; then
    log "Kafka node $n already runs on 127.0.0.1:$port"
    return 0
  fi
  port_open "$port" && die "port $port is taken by something this script did not start; set KAFKA_CLUSTER_PORT"
  [ -f "$dir/data/meta.properties" ] || die "Kafka node $n has no formatted data in $dir (run up first)"
  rm -f "$dir/kafka.pid"
  : >"$dir/kafka.log"
  kafka_java_cmd
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/kafka.pid" \
      "${kafka_java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 </dev/null) &
}

broker_wait() {
  local n=$1 dir="$cluster_kafka_dir/node-$1" port
  port=$(broker_port "$n")
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until [ -s "$dir/kafka.pid" ] && grep -q 'Kafka Server started' "$dir/kafka.log" 2>/dev/null && port_open "$port"; do
    if [ -s "$dir/kafka.pid" ] && ! pid_alive "$dir/kafka.pid"; then
      tail -30 "$dir/kafka.log" >&2
      die "Kafka node $n exited during start-up (log: $dir/kafka.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -30 "$dir/kafka.log" >&2; die "Kafka node $n did not answer within ${KAFKA_START_TIMEOUT:-120}s"; }
    sleep 0.25
  done
  log "Kafka node $n is up on 127.0.0.1:$port (pid $(cat "$dir/kafka.pid"))"
}

cluster_kafka_up() {
  local n running=0
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do
    pid_alive "$cluster_kafka_dir/node-$n/kafka.pid" && running=$((running + 1))
  done
  if [ "$running" -eq $CLUSTER_KAFKA_NODES ]; then
    log "the Kafka cluster already runs on 127.0.0.1:$(broker_port 1) and the next two"
    return 0
  fi
  fetch_kafka
  if [ "$running" -eq 0 ]; then
    local voters="" cluster_id
    for n in $(seq 1 $CLUSTER_KAFKA_NODES); do voters+="${voters:+,}$n@127.0.0.1:$(broker_controller_port "$n")"; done
    rm -rf "$cluster_kafka_dir"
    kafka_java_cmd
    cluster_id=$("${kafka_java[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    for n in $(seq 1 $CLUSTER_KAFKA_NODES); do
      local dir="$cluster_kafka_dir/node-$n"
      mkdir -p "$dir/data"
      sed -e "s#@NODE_ID@#$n#g" -e "s#@VOTERS@#$voters#g" -e "s#@KAFKA_PORT@#$(broker_port "$n")#g" \
          -e "s#@CONTROLLER_PORT@#$(broker_controller_port "$n")#g" -e "s#@DATA_DIR@#$dir/data#g" \
          "$here/infra/server-cluster.properties.template" >"$dir/server.properties"
      "${kafka_java[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
        || { cat "$dir/format.log" >&2; die "formatting node $n's KRaft storage failed"; }
    done
  fi
  local started=$SECONDS
  log "starting the Kafka cluster (3 KRaft nodes, RF 3, min ISR 2) on 127.0.0.1:$(broker_port 1),$(broker_port 2),$(broker_port 3)"
  # All at once: a controller quorum needs two nodes before any broker can finish starting.
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do broker_start "$n"; done
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do broker_wait "$n"; done
  log "the Kafka cluster is up after $((SECONDS - started))s"
}

# broker_stop n TERM|KILL: stops node n and waits until its ports are free.
broker_stop() {
  local n=$1 signal=$2 dir="$cluster_kafka_dir/node-$1"
  if pid_alive "$dir/kafka.pid"; then
    local pid
    pid=$(cat "$dir/kafka.pid")
    log "stopping Kafka node $n (pid $pid, SIG$signal)"
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || { kill -KILL "$pid" 2>/dev/null || true; break; }
      sleep 0.2
    done
  fi
  local deadline=$((SECONDS + 10))
  while { port_open "$(broker_port "$n")" || port_open "$(broker_controller_port "$n")"; } && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
}

cluster_kafka_down() {
  local n
  # Brokers first, the last voters after: a quorum that loses its majority makes the others wait.
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do
    pid_alive "$cluster_kafka_dir/node-$n/kafka.pid" && kill -TERM "$(cat "$cluster_kafka_dir/node-$n/kafka.pid")" 2>/dev/null
  done
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do broker_stop "$n" TERM; done
  rm -rf "$cluster_kafka_dir"
}

# redis_node_start n: starts Redis node n; on an existing directory it keeps its nodes.conf (its
# identity in the cluster) and replays its AOF, as after a crash.
redis_node_start() {
  local n=$1 dir="$cluster_redis_dir/node-$1" port
  port=$(redis_node_port "$n")
  if pid_alive "$dir/redis.pid"; then return 0; fi
  port_open "$port" && die "port $port is taken by something this script did not start; set REDIS_CLUSTER_PORT"
  mkdir -p "$dir/data"
  rm -f "$dir/redis.pid"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir/data" \
    --cluster-enabled yes --cluster-config-file "$dir/data/nodes.conf" \
    --cluster-node-timeout "$REDIS_CLUSTER_NODE_TIMEOUT" --cluster-announce-ip 127.0.0.1 \
    --appendonly yes --appendfsync everysec --save '' \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
  local deadline=$((SECONDS + 20))
  until redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || { tail -20 "$dir/redis.log" >&2; die "Redis node $n did not answer within 20s"; }
    sleep 0.1
  done
}

cluster_state_ok() { redis-cli -p "$1" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

# A Redis Cluster node also listens on its port + 10000 (the cluster bus). A bus port inside the
# kernel's ephemeral range can be held at any moment by some process's outgoing connection, and
# the node then fails to start ("bind: Address already in use", seen in CI with 26584 → 36584):
# refuse such ports up front.
check_bus_ports() {
  local range low high last_bus
  range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) || return 0
  read -r low high <<<"$range"
  last_bus=$(($(redis_node_port $CLUSTER_REDIS_NODES) + 10000))
  [ "$last_bus" -lt "$low" ] ||
    die "REDIS_CLUSTER_PORT=$REDIS_CLUSTER_PORT puts the cluster bus ports ($(($(redis_node_port 1) + 10000))-$last_bus) in the ephemeral port range ($low-$high), where outgoing connections take ports: pick a port below $((low - 10000 - CLUSTER_REDIS_NODES))"
}

cluster_redis_up() {
  local n running=0
  need_redis_prereqs
  check_bus_ports
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    pid_alive "$cluster_redis_dir/node-$n/redis.pid" && running=$((running + 1))
  done
  if [ "$running" -eq $CLUSTER_REDIS_NODES ] && cluster_state_ok "$(redis_node_port 1)"; then
    log "the Redis Cluster already runs on 127.0.0.1:$(redis_node_port 1) and the next five"
    return 0
  fi
  [ "$running" -eq 0 ] || die "the Redis Cluster runs only in part ($running of 6 nodes): run down first"
  rm -rf "$cluster_redis_dir"
  local addresses=()
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    redis_node_start "$n"
    addresses+=("127.0.0.1:$(redis_node_port "$n")")
  done
  # All nodes on one host: redis-cli warns that a replica shares its primary's host, and goes on.
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$cluster_redis_dir/create.log" 2>&1 \
    || { cat "$cluster_redis_dir/create.log" >&2; die "redis-cli --cluster create failed"; }
  local deadline=$((SECONDS + 30))
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    until cluster_state_ok "$(redis_node_port "$n")"; do
      [ $SECONDS -lt $deadline ] || die "the Redis Cluster did not reach cluster_state:ok within 30s"
      sleep 0.1
    done
  done
  local version
  version=$(redis-cli -p "$(redis_node_port 1)" info server | awk -F: '/^redis_version/ {print $2}' | tr -d '\r')
  log "Redis Cluster $version is up: 3 primaries + 3 replicas on 127.0.0.1:$(redis_node_port 1)-$(redis_node_port $CLUSTER_REDIS_NODES) (AOF everysec, node timeout ${REDIS_CLUSTER_NODE_TIMEOUT}ms)"
}

redis_node_kill() {
  local n=$1 dir="$cluster_redis_dir/node-$1"
  pid_alive "$dir/redis.pid" || die "Redis node $n is not running"
  log "killing Redis node $n on 127.0.0.1:$(redis_node_port "$n") (pid $(cat "$dir/redis.pid"), SIGKILL; data kept)"
  kill -KILL "$(cat "$dir/redis.pid")"
  local deadline=$((SECONDS + 10))
  while { pid_alive "$dir/redis.pid" || port_open "$(redis_node_port "$n")"; } && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}

cluster_redis_down() {
  local n
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    local dir="$cluster_redis_dir/node-$n"
    if pid_alive "$dir/redis.pid"; then
      redis-cli -p "$(redis_node_port "$n")" shutdown nosave >/dev/null 2>&1 || kill -TERM "$(cat "$dir/redis.pid")" 2>/dev/null || true
    fi
  done
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    local deadline=$((SECONDS + 10))
    while pid_alive "$cluster_redis_dir/node-$n/redis.pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  done
  rm -rf "$cluster_redis_dir"
}

# The number of the first Redis node that is a primary now: for `kill redis primary`.
redis_first_primary() {
  local n
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    pid_alive "$cluster_redis_dir/node-$n/redis.pid" || continue
    if redis-cli -p "$(redis_node_port "$n")" role 2>/dev/null | head -1 | grep -q master; then echo "$n"; return 0; fi
  done
  die "no Redis primary runs"
}

cluster_status() {
  local n ok=0
  for n in $(seq 1 $CLUSTER_KAFKA_NODES); do
    if pid_alive "$cluster_kafka_dir/node-$n/kafka.pid"; then
      log "Kafka node $n: running on 127.0.0.1:$(broker_port "$n")"
    else log "Kafka node $n: not running (port $(broker_port "$n"))"; ok=1; fi
  done
  for n in $(seq 1 $CLUSTER_REDIS_NODES); do
    if pid_alive "$cluster_redis_dir/node-$n/redis.pid"; then
      log "Redis node $n: running on 127.0.0.1:$(redis_node_port "$n") as $(redis-cli -p "$(redis_node_port "$n")" role 2>/dev/null | head -1)"
    else log "Redis node $n: not running (port $(redis_node_port "$n"))"; ok=1; fi
  done
  return $ok
}

# cluster_node_arg kafka|redis <n|primary>: checks a node number of the `kill`/`start` subcommands.
cluster_node_arg() {
  case "${1:-}" in kafka | redis) ;; *) die "say kafka or redis" ;; esac
  local kind=$1 n=${2:-} max
  [ "$kind" = kafka ] && max=$CLUSTER_KAFKA_NODES || max=$CLUSTER_REDIS_NODES
  if [ "$kind" = redis ] && [ "$n" = primary ]; then redis_first_primary; return 0; fi
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$max" ] || die "say which $kind node: 1..$max (redis: or primary)"
  echo "$n"
}

cluster_main() {
  case "${1:-}" in
    up)
      cluster_redis_up
      cluster_kafka_up
      cluster_print_env
      ;;
    down)
      cluster_kafka_down
      cluster_redis_down
      ;;
    kill)
      local n
      n=$(cluster_node_arg "${2:-}" "${3:-}") || exit 1
      case "$2" in
        kafka) broker_stop "$n" KILL ;;
        redis) redis_node_kill "$n" ;;
      esac
      echo "$n"
      ;;
    start)
      local n
      n=$(cluster_node_arg "${2:-}" "${3:-}") || exit 1
      case "$2" in
        kafka) broker_start "$n" && broker_wait "$n" ;;
        redis) redis_node_start "$n" && log "Redis node $n is up again on 127.0.0.1:$(redis_node_port "$n")" ;;
      esac
      ;;
    status) cluster_status ;;
    env) cluster_print_env ;;
    fetch)
      need_redis_prereqs
      fetch_kafka
      ;;
    *) usage ;;
  esac
}
