#!/usr/bin/env bash
# The main job: the demo. Brings up local Kafka and Redis when KAFKA_BROKERS / REDIS_URL are not
# set, then runs scripts/demo.ts with any extra arguments (`npm run demo -- --help`).
# The infrastructure it started keeps running afterwards (for the API and dashboards it points
# to); `npm run infra:down` stops it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=demo
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

ensure_node_deps "$root"
cd "$root"
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  infra_env=$(bash scripts/infra.sh up)
  eval "$infra_env"
fi
export KAFKAJS_NO_PARTITIONER_WARNING=1
# The operator console the orchestrator serves at /ui (a second to bundle; docs/console.md).
npm run --silent build:console >/dev/null
# node itself (with tsx's loader) rather than the tsx CLI: one process, which gets Ctrl-C once.
exec node --import tsx scripts/demo.ts "$@"
