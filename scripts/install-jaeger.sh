#!/usr/bin/env bash
# Builds Jaeger (v2, the all-in-one `jaeger` binary with an OTLP receiver, an in-memory store and
# the query API) from its Go module and caches it in .infra/bin/jaeger, which git ignores. The Go
# module proxy is the only way to get it here: no prebuilt binaries can be downloaded.
# Prints the path of the binary on stdout. Re-running is cheap: an existing binary of the pinned
# version is reused.
#
# `go install github.com/jaegertracing/jaeger/cmd/jaeger@<v>` refuses to build it (Jaeger's go.mod
# has replace directives), so it is built inside a throwaway module that requires it as a tool.
#
#   JAEGER_VERSION   the github.com/jaegertracing/jaeger module version (default below)
#   JAEGER_BIN_DIR   where to put the binary (default <repo>/.infra/bin)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=jaeger
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

version=${JAEGER_VERSION:-v1.76.0}
bin_dir=${JAEGER_BIN_DIR:-$root/.infra/bin}
jaeger_bin=$bin_dir/jaeger
module=github.com/jaegertracing/jaeger

# The stamp records how the binary was built; a binary built another way is rebuilt.
stamp_file=$bin_dir/jaeger.build
stamp="jaeger $version, tool of a throwaway module, build script 1"
if [ -x "$jaeger_bin" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
  echo "$jaeger_bin"
  exit 0
fi

go_bin=$(command -v go || true)
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
if [ -z "$go_bin" ]; then
  log "go not found; trying to install Debian package golang-go"
  apt_install golang-go || die "Go is needed to build jaeger (install Go 1.24+ or the Debian package golang-go)"
  go_bin=$(command -v go) || die "installed golang-go but go is still not on PATH"
fi

mkdir -p "$bin_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "building jaeger $version with $("$go_bin" version) (first build takes several minutes)"
start=$SECONDS
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0 GOFLAGS=${GOFLAGS:-}
(
  cd "$work"
  "$go_bin" mod init jaeger-build >&2
  # Jaeger's own go.mod pins the versions of everything it needs; `-tool` keeps them.
  "$go_bin" get -tool "$module/cmd/jaeger@$version" >&2
  "$go_bin" build -ldflags "-s -w" -o "$work/jaeger" "$module/cmd/jaeger" >&2
) || die "building $module/cmd/jaeger@$version failed"
mv "$work/jaeger" "$jaeger_bin"
echo "$stamp" >"$stamp_file"
log "built $jaeger_bin in $((SECONDS - start))s"
echo "$jaeger_bin"
