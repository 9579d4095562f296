#!/usr/bin/env bash
# make cloud-purge: removes what `make cloud` made and leaves the host as it was before it: the
# daemons, every VM and storage daemon (found by the state directory on their command lines), the VM
# cgroups, br-int (when make cloud's agent made it) and the Open vSwitch it started, the state and
# run directories, /etc/infra, the infractl link and config. What existed before the first
# `make cloud` (a system Open vSwitch, its database, a br-int of its own) stays. The build output in
# out/ and the image cache in /var/cache/infra-images stay too (make clean removes out/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bash "$top/packaging/cloud/up.sh" down
records=(); [ -f "$CREATED" ] && mapfile -t records < "$CREATED"

# VMs, their supervisors and storage daemons outlive the agent by design: stop them by PID, found by
# the agent's state directory their command lines name (not all of $STATE: the Open vSwitch make cloud
# started keeps its database there, and must still answer when br-int is deleted below). Bounded:
# three rounds, then SIGKILL.
pids_of_state() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}; [ "$pid" = $$ ] && continue
    { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null | grep -qF "$STATE/agent/" && echo "$pid"   # a process may be gone already
  done
  return 0
}
for sig in TERM TERM KILL; do
  mapfile -t pids < <(pids_of_state)
  [ ${#pids[@]} -gt 0 ] || break
  echo "infra: stopping ${#pids[@]} VM and storage processes (SIG$sig)"
  kill -s $sig "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 25); do [ -z "$(pids_of_state)" ] && break; sleep 0.2; done
done
[ -z "$(pids_of_state)" ] || warn "some processes under $STATE are still running: $(pids_of_state | tr '\n' ' ')"

# The VMs' taps: the agent makes them persistent (so they outlive qemu and agent restarts), so they
# stay until deleted. Its names have one shape, tap + 12 hex digits (TapPlanner.IsOurs), which nothing
# else on a host uses; the VMs holding them are stopped above.
for t in $(ip -o link show type tun 2>/dev/null | sed -n 's/^[0-9]*: \(tap[0-9a-f]\{12\}\)[:@].*/\1/p'); do
  ip link delete "$t" 2>/dev/null || ip tuntap del dev "$t" mode tap 2>/dev/null || warn "could not delete tap $t"
done

# The agent's VM cgroups (supervised runner): the "infra" directory in each hierarchy it used.
for parent in /sys/fs/cgroup/infra /sys/fs/cgroup/*/infra; do
  [ -d "$parent" ] || continue
  # A killed process stays in its cgroup until it is reaped: wait (bounded) until none is left.
  for _ in $(seq 50); do
    [ -z "$(find "$parent" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break; sleep 0.1
  done
  find "$parent" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
  rmdir "$parent" 2>/dev/null || warn "cgroup $parent is still in use"
done

# Undo the records, newest first.
for ((i = ${#records[@]} - 1; i >= 0; i--)); do
  read -r kind path <<<"${records[$i]}"
  case "$kind" in
    bridge) ovs-vsctl --db=$DB --timeout=5 --if-exists del-br "$path" 2>/dev/null || warn "could not delete bridge $path (is Open vSwitch running?)" ;;
    ovs)    for d in ovs-vswitchd ovsdb-server; do
              [ -f "$path/$d.pid" ] && kill "$(cat "$path/$d.pid")" 2>/dev/null || true
              for _ in $(seq 25); do [ -f "$path/$d.pid" ] && kill -0 "$(cat "$path/$d.pid")" 2>/dev/null || break; sleep 0.2; done
            done ;;
    link|file) rm -f "$path" ;;
    tree)   rm -rf "$path" ;;
    dir)    rmdir "$path" 2>/dev/null || true ;;
  esac
done
# Bridges are deleted before the OVS that holds them stops: the records put "ovs" before "bridge",
# so newest-first order already does that.
echo "infra: purged (kept: out/ build output, /var/cache/infra-images)"
