#!/usr/bin/env bash
# `npm run bench`: the benchmark against real Kafka and Redis (see docs/benchmarks.md).
#
# Uses the Kafka and Redis named by KAFKA_BROKERS and REDIS_URL when both are set; otherwise starts
# the local ones with scripts/infra.sh (and stops them afterwards if it was the one that started
# them), as scripts/test.sh does. Arguments go to the bench: `npm run bench -- --soak 10m`,
# `npm run bench -- --help`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=bench
# shellcheck source=../scripts/lib/prereqs.sh
. "$root/scripts/lib/prereqs.sh"

ensure_node_deps "$root"
cd "$root"

# Nothing to start for help or for re-rendering an earlier run.
case " $* " in *" --help "* | *" -h "* | *" --render "*) exec node --import tsx bench/main.ts "$@" ;; esac

stop_after=0
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  bash scripts/infra.sh status 2>/dev/null || stop_after=1
  infra_env=$(bash scripts/infra.sh up)
  eval "$infra_env"
  if [ "$stop_after" = 1 ] && [ -z "${KEEP_INFRA:-}" ]; then
    trap 'bash scripts/infra.sh down' EXIT
  fi
fi
log "Kafka at $KAFKA_BROKERS, Redis at $REDIS_URL"
export KAFKAJS_NO_PARTITIONER_WARNING=1
node --import tsx bench/main.ts "$@"
