# Sourced by the scripts in scripts/: finds the programs the local infrastructure needs and, where
# it can (root with apt-get), installs the missing ones from Debian's packages. Anything it cannot
# install ends the script with a message that names the missing program and how to get it.

log() { printf '[%s] %s\n' "${LOG_TAG:-infra}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

apt_updated=0
# apt_install <package>...: installs Debian packages when we are allowed to, else fails clearly.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else return 1; fi
  fi
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    $sudo apt-get update -qq >&2 || return 1
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

# need <command> <debian-package> <what it is for>
need() {
  local cmd=$1 pkg=$2 why=$3
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "$cmd not found ($why); trying to install Debian package $pkg"
  apt_install "$pkg" || die "$cmd is missing and could not be installed ($why). Install the Debian package '$pkg' (apt-get install $pkg) or put $cmd on PATH."
  command -v "$cmd" >/dev/null 2>&1 || die "installed $pkg but $cmd is still not on PATH"
}

need_java17() {
  need java openjdk-17-jre-headless "runs the Kafka broker"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ -n "$major" ] && [ "${major%%.*}" -ge 17 ] || die "Java 17 or newer is needed to run Kafka (found: ${major:-unknown}). Set JAVA_HOME/PATH to a JDK 17+."
}

need_kafka_prereqs() {
  need_java17
  need mvn maven "fetches the Kafka broker jars from Maven Central"
}

need_redis_prereqs() {
  need redis-server redis-server "the Redis server"
  need redis-cli redis-tools "talks to the Redis server"
}

# Installs the npm dependencies from the lockfile when they are missing or older than it.
ensure_node_deps() {
  local root=$1
  command -v node >/dev/null 2>&1 || die "Node.js 20 or newer is needed (node not found)"
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (found $(node -v))"
  if [ ! -f "$root/node_modules/.package-lock.json" ] ||
     [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    log "installing npm dependencies (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund >&2) || die "npm ci failed"
  fi
}
