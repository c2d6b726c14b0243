#!/usr/bin/env bash
# Builds the project's container image (the Dockerfile) with podman, on a machine with neither
# Docker nor a reachable image registry: the Node base image is made from Debian's own packages.
#
#   bash scripts/build-image.sh            # prints the image name, e.g. localhost/saga-orchestrator:0.1.0
#   IMAGE=my/name:tag bash scripts/build-image.sh
#
# 1. The base image, `localhost/node:20-local` (NODE_BASE_IMAGE), unless podman has it already:
#    `debootstrap --variant=minbase bookworm` (DEBIAN_MIRROR), this machine's node and npm copied
#    in, a `node` user with uid 1000, the machine's CA bundle (NODE_EXTRA_CA_CERTS: the npm
#    registry may be reached through a TLS-intercepting proxy, whose CA node must trust), then
#    `podman import`. REBUILD_BASE=1 makes it again.
# 2. `podman build --isolation chroot --network host --build-arg NODE_IMAGE=<base>`: chroot
#    isolation needs no OCI runtime (crun refuses hybrid cgroup hierarchies); podman's layer cache
#    makes a second build with unchanged sources take seconds.
#
# Run the image with scripts/podman/containers.conf (CONTAINERS_CONF) and
# `podman run --runtime runc --cgroup-manager cgroupfs --read-only --network host …` (README,
# "Deploying"). Installs podman, debootstrap and runc from Debian's packages when missing (as
# root). Everything but the image name goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LOG_TAG=image
# shellcheck source=lib/prereqs.sh
. "$here/lib/prereqs.sh"

version=$(node -p "require('$root/package.json').version" 2>/dev/null) ||
  die "node is needed to read the package version"
image=${IMAGE:-localhost/saga-orchestrator:$version}
base=${NODE_BASE_IMAGE:-localhost/node:20-local}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/podman/containers.conf}

need podman podman "builds and runs the container image"
need runc runc "the OCI runtime the image's containers run with"

build_base() {
  need debootstrap debootstrap "makes the base image's root filesystem from Debian's packages"
  [ "$(id -u)" -eq 0 ] || die "making the base image needs root (debootstrap, chroot)"
  local node_bin npm_dir work rootfs
  node_bin=$(command -v node)
  node_bin=$(readlink -f "$node_bin")
  npm_dir=$(dirname "$node_bin")/../lib/node_modules/npm
  [ -f "$npm_dir/bin/npm-cli.js" ] || die "npm not found next to $node_bin (looked in $npm_dir)"
  [ -f /etc/ssl/certs/ca-certificates.crt ] ||
    need update-ca-certificates ca-certificates "the CA bundle copied into the base image"
  work=$(mktemp -d "${TMPDIR:-/tmp}/saga-image-base.XXXXXX")
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$work'" EXIT
  rootfs=$work/rootfs
  log "debootstrap --variant=minbase bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (is $mirror reachable? DEBIAN_MIRROR names another)"; }
  log "node $(node -v) and npm $(node "$npm_dir/bin/npm-cli.js" -v) into the base image"
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  # The official node images' user: uid and gid 1000, named node.
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid 1000 --create-home --shell /bin/bash node
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  log "podman import as $base"
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' \
    - "$base" >&2
  rm -rf "$work"
  trap - EXIT
}

started=$SECONDS
if [ -n "${REBUILD_BASE:-}" ] || ! podman image exists "$base"; then
  build_base
  log "base image $base made in $((SECONDS - started))s"
else
  log "reusing the base image $base (REBUILD_BASE=1 makes it again)"
fi

build_started=$SECONDS
log "podman build $image"
podman build --isolation chroot --network host \
  --build-arg "NODE_IMAGE=$base" \
  --tag "$image" \
  --file "$root/Dockerfile" "$root" >&2 ||
  die "podman build failed (see above)"
log "built $image in $((SECONDS - build_started))s"
echo "$image"
