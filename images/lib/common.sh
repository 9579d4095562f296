# Shared by the image builders (sourced). Logging with elapsed time, the cache key, the Debian mirror.
# Every builder prints what it does as it goes: a cold build takes minutes and must never look hung.

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export IMAGE_T0=${IMAGE_T0:-$(date +%s)}

say() { printf 'image: [%3ds] %s\n' $(($(date +%s) - IMAGE_T0)) "$*" >&2; }
die() { printf 'image: error: %s\n' "$*" >&2; exit 1; }

# Installs host tools a build needs, only when missing (setup-host.sh installs them up front for CI).
need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  say "installing $2 (for $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
    die "cannot install $2; run: apt-get update && apt-get install $2"
}

# The Debian mirror apt on this host already uses for bookworm, so a build needs no other network.
debian_mirror() {
  [ -n "${INFRA_IMAGE_MIRROR:-}" ] && { echo "$INFRA_IMAGE_MIRROR"; return; }
  local m
  m=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
      awk '$2 == "bookworm" && $1 !~ /security/ {print $1; exit}')
  echo "${m:-http://deb.debian.org/debian/}"
}

# "deb URI SUITE main" for bookworm, bookworm-updates and bookworm-security, from the host's apt
# configuration (what mmdebstrap should use).
debian_sources() {
  local main sec
  main=$(debian_mirror)
  sec=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
        awk '$2 == "bookworm-security" {print $1; exit}')
  echo "deb $main bookworm main"
  echo "deb $main bookworm-updates main"
  echo "deb ${sec:-http://deb.debian.org/debian-security/} bookworm-security main"
}

# The version apt would fetch of each package: part of the cache key, so a Debian update rebuilds.
candidate_versions() {
  local out
  out=$(apt-cache policy "$@" 2>/dev/null | awk '/^[^ ]/ {p=$1} /Candidate:/ {print p, $2}')
  if [ -z "$out" ] || grep -q '(none)' <<<"$out"; then
    say "apt knows no candidate for some of: $*; running apt-get update"
    apt-get update -q >/dev/null 2>&1 || die "apt-get update failed; check /etc/apt/sources.list"
    out=$(apt-cache policy "$@" | awk '/^[^ ]/ {p=$1} /Candidate:/ {print p, $2}')
  fi
  grep -q '(none)' <<<"$out" && die "apt has no candidate for: $(awk '$2 == "(none)" {print $1}' <<<"$out")"
  echo "$out"
}

# The kernel package linux-image-cloud-amd64 points at (e.g. linux-image-6.1.0-57-cloud-amd64).
cloud_kernel_pkg() {
  local k
  k=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image/ {print $2; exit}')
  [ -n "$k" ] || { apt-get update -q >/dev/null 2>&1 || true
    k=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image/ {print $2; exit}'); }
  [ -n "$k" ] || die "apt knows no linux-image-cloud-amd64: check /etc/apt/sources.list and run apt-get update"
  echo "$k"
}

# sha256 over the given files and extra text (package versions): the cache directory's name.
inputs_hash() { # inputs_hash TEXT FILE...
  local text=$1; shift
  { printf '%s\n' "$text"; for f in "$@"; do printf '%s\n' "${f#"$IMAGES_DIR"/}"; cat "$f"; done; } |
    sha256sum | cut -c1-16
}
