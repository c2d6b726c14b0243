#!/usr/bin/env bash
# The project's Helm chart (helm/saga-orchestrator) from the command line, with a helm binary built
# from the Go module proxy (scripts/install-helm.sh) and cached in .infra/bin.
#
#   scripts/helm.sh bin       build helm if needed and print its path
#   scripts/helm.sh sync      copy dashboards/*.json and dashboards/alerts.yaml into the chart
#   scripts/helm.sh check     sync check, then `helm lint --strict` and `helm template` with the
#                             default values and every ci/*-values.yaml
#   scripts/helm.sh ARGS...   run helm with ARGS (e.g. `scripts/helm.sh template demo helm/saga-orchestrator`)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
chart=$root/helm/saga-orchestrator
LOG_TAG=helm
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

helm_bin() { bash "$here/install-helm.sh"; }
tsx() { (cd "$root" && npx --no-install tsx "$@"); }

case "${1:-}" in
  bin)
    helm_bin
    ;;
  sync)
    tsx scripts/sync-chart-files.ts
    ;;
  check)
    helm=$(helm_bin)
    tsx scripts/sync-chart-files.ts --check
    for values in "" "$chart"/ci/*-values.yaml; do
      args=()
      [ -n "$values" ] && args=(-f "$values")
      log "lint and template with ${values:-the default values}"
      "$helm" lint --strict "$chart" "${args[@]}" >/dev/null
      "$helm" template check "$chart" "${args[@]}" >/dev/null
    done
    log "chart OK"
    ;;
  "" | -h | --help)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    helm=$(helm_bin)
    exec "$helm" "$@"
    ;;
esac
