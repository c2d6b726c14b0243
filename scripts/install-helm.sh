#!/usr/bin/env bash
# Builds the Helm CLI from its Go module (the Go module proxy is the only way to get it here: no
# prebuilt binaries can be downloaded) and caches it in .infra/bin/helm, which git ignores.
# Prints the path of the binary on stdout. Re-running is cheap: an existing binary of the pinned
# version is reused.
#
#   HELM_VERSION   the helm.sh/helm/v3 module version to build (default below)
#   HELM_BIN_DIR   where to put the binary (default <repo>/.infra/bin)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=helm
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

version=${HELM_VERSION:-v3.22.0}
bin_dir=${HELM_BIN_DIR:-$root/.infra/bin}
helm_bin=$bin_dir/helm

# The stamp records how the binary was built; a binary built another way is rebuilt.
stamp_file=$bin_dir/helm.build
stamp="helm $version, kube version from its client-go, build script 2"
if [ -x "$helm_bin" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
  echo "$helm_bin"
  exit 0
fi

go_bin=$(command -v go || true)
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
if [ -z "$go_bin" ]; then
  log "go not found; trying to install Debian package golang-go"
  apt_install golang-go || die "Go is needed to build helm (install Go 1.24+ or the Debian package golang-go)"
  go_bin=$(command -v go) || die "installed golang-go but go is still not on PATH"
fi

mkdir -p "$bin_dir"
log "building helm $version with $("$go_bin" version) (first build takes several minutes)"
start=$SECONDS
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0
# helm's release build stamps the Kubernetes version it assumes for `helm template` and `lint`
# (`.Capabilities.KubeVersion`) from its client-go version (v0.N.x is Kubernetes 1.N); without it
# the default is 1.20, older than any supported cluster. Do the same here.
go_mod=$("$go_bin" mod download -json "helm.sh/helm/v3@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p') || true
[ -f "$go_mod" ] || die "could not download helm.sh/helm/v3@$version from the Go module proxy"
kube_minor=$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$go_mod")
[ -n "$kube_minor" ] || die "could not read the k8s.io/client-go version from $go_mod"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kube_minor"
done
GOBIN=$bin_dir "$go_bin" install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version" >&2 \
  || die "go install helm.sh/helm/v3/cmd/helm@$version failed"
echo "$stamp" >"$stamp_file"
log "built $helm_bin (Kubernetes 1.$kube_minor assumed for templates) in $((SECONDS - start))s"
echo "$helm_bin"
