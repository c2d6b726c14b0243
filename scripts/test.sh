#!/usr/bin/env bash
# The whole test suite: unit, tooling, integration (real Kafka and Redis) and end-to-end.
#
# Uses the Kafka and Redis named by KAFKA_BROKERS and REDIS_URL when both are set; otherwise starts
# the local ones with scripts/infra.sh (and stops them afterwards if it was the one that started
# them). Likewise Jaeger: JAEGER_QUERY_URL and JAEGER_OTLP_ENDPOINT, or scripts/jaeger.sh. Extra
# arguments go to mocha (e.g. `npm test -- --grep outbox`).
#
# Ends with one line `N passed, N failed (N pending)`; the counts are also written as JSON to
# TEST_SUMMARY_FILE (default .infra/test-summary.json) for CI.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=test
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

ensure_node_deps "$root"
cd "$root"

stop_after=0
stop_jaeger=0
# Stops what this run started (KEEP_INFRA=1 keeps it).
stop_started() {
  [ -n "${KEEP_INFRA:-}" ] && return 0
  [ "$stop_jaeger" = 0 ] || bash scripts/jaeger.sh down || true
  [ "$stop_after" = 0 ] || bash scripts/infra.sh down
}
trap stop_started EXIT
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  bash scripts/infra.sh status 2>/dev/null || stop_after=1
  infra_env=$(bash scripts/infra.sh up)
  eval "$infra_env"
fi
log "Kafka at $KAFKA_BROKERS, Redis at $REDIS_URL"
# Jaeger, for the traces test (test/e2e/jaeger-traces.test.ts): built once by
# scripts/install-jaeger.sh; started here unless JAEGER_QUERY_URL names one already running.
# Without it the rest of the suite still runs, and that test fails saying why.
if [ -z "${JAEGER_QUERY_URL:-}" ] || [ -z "${JAEGER_OTLP_ENDPOINT:-}" ]; then
  bash scripts/jaeger.sh status 2>/dev/null || stop_jaeger=1
  if jaeger_env=$(bash scripts/jaeger.sh up); then
    eval "$jaeger_env"
  else
    log "could not start Jaeger (see above): the traces test will fail"
  fi
fi
log "Jaeger query API at ${JAEGER_QUERY_URL:-(none)}"

export TEST_SUMMARY_FILE=${TEST_SUMMARY_FILE:-$root/.infra/test-summary.json}
export KAFKAJS_NO_PARTITIONER_WARNING=1
mkdir -p "$(dirname "$TEST_SUMMARY_FILE")"
rm -f "$TEST_SUMMARY_FILE"

# The console's browser tests (test/e2e/console*.test.ts) load the bundle the orchestrator serves,
# in Debian's chromium (CHROMIUM_PATH names another).
npm run --silent build:console >/dev/null
[ -n "${CHROMIUM_PATH:-}" ] || need chromium chromium "the console's browser tests"


status=0
npx mocha 'test/unit/**/*.test.ts' 'test/tooling/**/*.test.ts' 'test/integration/**/*.test.ts' \
  'test/e2e/**/*.test.ts' "$@" || status=$?

if [ -f "$TEST_SUMMARY_FILE" ]; then
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${s.passed} passed, ${s.failed} failed (${s.pending} pending)`);' "$TEST_SUMMARY_FILE"
else
  echo "0 passed, 0 failed (mocha wrote no summary: it did not run)"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
