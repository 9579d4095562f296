# Shared by packaging/cloud/*.sh: paths, progress lines and the record of what `make cloud` created.
# Sourced, not run.
#
# Progress: every line says how long the current step has run ("[ 12s] boot: ..."), and a step's
# total goes into $TIMINGS so the end of a run can print them all. Long commands run under
# `heartbeat`, which prints a line every 10 s, so a step never sits silent.
#
# What was created: `make cloud-purge` must leave the host as it was, so everything the bring-up
# makes that was not there before (directories, the OVS database, br-int, the infractl link) is
# appended to $STATE/created, and purge undoes exactly those lines, newest first. Anything that
# existed before the first `make cloud` is left alone.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=${INFRA_RUN:-/run/infra-cloud}
STATE=${INFRA_STATE:-/var/lib/infra}
OUT=$top/out/cloud
LISTEN=${INFRA_LISTEN:-127.0.0.1:7443}
OVS_RUN=/var/run/openvswitch
# The database of an Open vSwitch that make cloud starts itself lives in our state, not in
# /etc/openvswitch: Debian's package links its lock file there into /var/lib/openvswitch, and purge
# must leave the package's files as they were.
OVS_DB_DIR=$STATE/ovs
DB=unix:$OVS_RUN/db.sock
CREATED=$STATE/created
TIMINGS=$RUN/timings

step_name=""; step_start=$SECONDS
# Progress goes to fd 3, the script's stdout as it started: it reaches the user even from inside
# $(...) or a command whose output is redirected to a log. Every daemon is started with 3>&-: one
# that kept it would hold the user's pipe open, and `make cloud | tee log` would never end.
exec 3>&1
say() { printf 'infra: [%4ss] %s%s\n' "$((SECONDS - step_start))" "${step_name:+$step_name: }" "$*" >&3; }
warn() { printf 'infra: %s\n' "$*" >&2; }
die() { warn "error: $*"; exit 1; }

# step NAME: starts timing NAME (and closes the previous step).
step() { step_end; step_name=$1; step_start=$SECONDS; printf 'infra: ---- %s\n' "$1" >&3; }
step_end() {
  [ -n "$step_name" ] || return 0
  say "done in $((SECONDS - step_start)) s"
  mkdir -p "$RUN"; echo "$step_name $((SECONDS - step_start))" >> "$TIMINGS"
  step_name=""
}

# heartbeat LABEL CMD...: runs CMD, printing "LABEL: still running" every 10 s while it does.
heartbeat() {
  local label=$1; shift
  "$@" & local pid=$!
  ( while sleep 10; do kill -0 "$pid" 2>/dev/null || exit 0; say "$label (still running)"; done ) & local ticker=$!
  local rc=0; wait "$pid" || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  return $rc
}

# created KIND PATH: records that make cloud made PATH (KIND: tree = rm -rf, dir = rmdir if empty,
# file = rm -f, link = rm -f, bridge = ovs-vsctl del-br, ovs = the Open vSwitch daemons it started).
created() { mkdir -p "$STATE"; grep -qxF "$1 $2" "$CREATED" 2>/dev/null || echo "$1 $2" >> "$CREATED"; }

# mkdir_tracked KIND DIR: mkdir -p, recording each directory that did not exist (the deepest with KIND,
# its missing parents as "dir").
mkdir_tracked() {
  local kind=$1 d=$2 missing=()
  while [ ! -e "$d" ]; do missing+=("$d"); d=$(dirname "$d"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  mkdir -p "${missing[0]}"
  local i; for ((i = ${#missing[@]} - 1; i >= 0; i--)); do created "$([ "$i" = 0 ] && echo "$kind" || echo dir)" "${missing[$i]}"; done
}

# The home of the user who asked (sudo keeps it in SUDO_USER): infractl's config goes there.
user_home() {
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then getent passwd "$SUDO_USER" | cut -d: -f6; else echo "$HOME"; fi
}

ctl() { "$OUT/Infra.Ctl/infractl" "$@"; }
