#!/usr/bin/env bash
# Brings up a single-host Infra cloud on this machine: Open vSwitch, the controller on the embedded
# SQLite store, and the agent, all on loopback; then runs the demo (packaging/cloud/demo.sh: an image,
# two overlapping tenants, three VMs, the ping proof). Idempotent: run it again to restart the daemons
# and reuse what exists.
#   packaging/cloud/up.sh [up]   start (installs packages and builds first), then the demo
#   packaging/cloud/up.sh down   stop the daemons (VMs and volumes stay, as on a real host)
#   packaging/cloud/up.sh purge  remove everything make cloud made (packaging/cloud/purge.sh)
# INFRA_DEMO=0 skips the demo. Where systemd is PID 1 the daemons' VMs run as transient units;
# elsewhere as supervised processes. Logs: $RUN/*.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
  # OVS, taps and cgroups need root; ask for it once rather than failing halfway.
  command -v sudo >/dev/null || die "run as root: OVS, taps and cgroups need it"
  exec sudo --preserve-env=INFRA_RUN,INFRA_STATE,INFRA_LISTEN,INFRA_DEMO bash "$0" "$@"
fi

stop_pid() {
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1"); rm -f "$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  stop_pid "$RUN/agent.pid"; stop_pid "$RUN/controller.pid"
  echo "infra: daemons stopped (VMs, volumes and OVS keep running; 'make cloud-purge' removes them too)"
}

case "${1:-up}" in
  down) down; exit 0 ;;
  purge) exec bash "$top/packaging/cloud/purge.sh" ;;
  up) ;;
  *) echo "usage: $0 [up|down|purge]" >&2; exit 2 ;;
esac

mkdir_tracked tree "$STATE"
mkdir_tracked tree "$RUN"
rm -f "$TIMINGS"
total_start=$SECONDS

step build
say "system packages (tests/setup-host.sh; installs only what is missing)"
bash "$top/tests/setup-host.sh"
# What the daemons are built from: every source, project and proto file by path, size and mtime. A
# second make cloud with nothing changed skips three publishes (minutes on a busy two-core machine).
sources=$(cd "$top" && find agent controller proto \
  -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name '*.props' -o -name '*.json' -o -name '*.config' \) \
  -not -path '*/bin/*' -not -path '*/obj/*' -printf '%p %s %T@\n' 2>/dev/null | sort | sha256sum | cut -c1-16)
if [ -f "$OUT/.sources" ] && [ "$(cat "$OUT/.sources")" = "$sources" ] && [ -x "$OUT/Infra.Agent/infra-agent" ]; then
  say "daemons in out/cloud are up to date with the sources ($sources); not rebuilding"
else
  rm -f "$OUT/.sources"
  for p in controller/Infra.Controller controller/Infra.Ctl agent/Infra.Agent; do
    say "dotnet publish $p -> out/cloud/$(basename "$p")"
    # No build servers: nothing of the build lingers after make cloud returns.
    heartbeat "dotnet publish $(basename "$p")" \
      dotnet publish "$top/$p" -c Release -o "$OUT/$(basename "$p")" -v q --nologo --disable-build-servers >"$RUN/build.log" 2>&1 \
      || { tail -30 "$RUN/build.log" >&2; die "dotnet publish $p failed (whole log: $RUN/build.log)"; }
  done
  echo "$sources" > "$OUT/.sources"
fi
if [ ! -L /usr/local/bin/infractl ]; then
  [ -e /usr/local/bin/infractl ] && die "/usr/local/bin/infractl exists and is not our link; move it away first"
  mkdir_tracked dir /usr/local/bin; created link /usr/local/bin/infractl
fi
ln -sfn "$OUT/Infra.Ctl/infractl" /usr/local/bin/infractl

step bring-up
# Open vSwitch: the system instance if it answers, else our own with the userspace datapath
# (no kernel module needed).
if ! ovs-vsctl --db=$DB --timeout=2 show >/dev/null 2>&1; then
  say "starting Open vSwitch (userspace datapath)"
  mkdir_tracked tree $OVS_RUN; mkdir -p "$OVS_DB_DIR"
  if [ ! -f "$OVS_DB_DIR/conf.db" ]; then
    ovsdb-tool create "$OVS_DB_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  fi
  created ovs "$RUN"
  ovsdb-server --detach --no-chdir -vconsole:off --pidfile=$RUN/ovsdb-server.pid --log-file=$RUN/ovsdb-server.log \
    --remote=punix:$OVS_RUN/db.sock "$OVS_DB_DIR/conf.db" 3>&-
  ovs-vsctl --db=$DB --no-wait init
  ovs-vswitchd --detach --no-chdir -vconsole:off --pidfile=$RUN/ovs-vswitchd.pid --log-file=$RUN/ovs-vswitchd.log $DB 3>&-
else
  say "Open vSwitch answers on $DB; using it"
fi
# br-int is the agent's; if it is not there yet, the agent will make it for this cloud.
ovs-vsctl --db=$DB --timeout=5 br-exists br-int || created bridge br-int
datapath=netdev; [ -d /sys/module/openvswitch ] && datapath=system

# A token for this cloud's operator, shared by infractl through its config file.
mkdir_tracked tree /etc/infra
[ -f /etc/infra/tokens ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' > /etc/infra/tokens)
token=$(head -1 /etc/infra/tokens)
home=$(user_home)
mkdir_tracked dir "$home/.config"; mkdir_tracked tree "$home/.config/infra"
created file "$home/.config/infra/infractl.yaml"
(umask 077; printf 'controller: http://%s\ntoken: %s\n' "$LISTEN" "$token" > "$home/.config/infra/infractl.yaml")
[ -n "${SUDO_USER:-}" ] && chown -R "$SUDO_USER" "$home/.config/infra" 2>/dev/null || true
# This script's own infractl calls use the same config, whoever runs it.
export HOME=$home

down >/dev/null
say "starting the controller on $LISTEN (store: $STATE/state.db)"
rm -f "$RUN/controller.ready"
nohup "$OUT/Infra.Controller/infra-controller" --listen "$LISTEN" --store "sqlite:$STATE/state.db" \
  --token-file /etc/infra/tokens --ready-file "$RUN/controller.ready" > "$RUN/controller.log" 2>&1 3>&- &
echo $! > "$RUN/controller.pid"
for _ in $(seq 150); do [ -s "$RUN/controller.ready" ] && break; sleep 0.2; done
[ -s "$RUN/controller.ready" ] || { tail -20 "$RUN/controller.log" >&2; die "the controller did not start; see $RUN/controller.log"; }

runner=supervised; [ "$(ps -p 1 -o comm=)" = systemd ] && runner=systemd
host_id=$(hostname -s | tr 'A-Z_' 'a-z-')
cat > "$RUN/agent.yaml" <<YAML
# Written by packaging/cloud/up.sh for a single-host cloud; see packaging/config/agent.yaml.
controller:
  url: http://$LISTEN
  token_file: /etc/infra/tokens
  ca_file: ""
host_id: $host_id
state_dir: $STATE/agent
tunnel_ip: 127.0.0.1
network:
  enabled: true
  ovsdb: $DB
  ovs_run_dir: $OVS_RUN
  bridge: br-int
  datapath_type: $datapath
  datapath_id: ""
storage_pools:
  - name: default
    path: $STATE/pools/default
compute:
  runner: $runner
  # A development cloud: guests may run under TCG where KVM does not work.
  allow_tcg: true
  force_tcg: false
  qemu_binary: /usr/bin/qemu-system-x86_64
  mhz_per_core: 0
reconcile_interval_seconds: 30
status_interval_seconds: 2
log_level: info
YAML
mkdir -p "$STATE/pools/default" "$STATE/agent"
say "starting the agent (host $host_id, runner: $runner, datapath: $datapath)"
"$OUT/Infra.Agent/infra-agent" --config "$RUN/agent.yaml" --check-config
nohup "$OUT/Infra.Agent/infra-agent" --config "$RUN/agent.yaml" > "$RUN/agent.log" 2>&1 3>&- &
echo $! > "$RUN/agent.pid"
up=""
for i in $(seq 100); do
  ctl -o json host get "$host_id" 2>/dev/null | grep -q HOST_STATE_UP && { up=1; break; }
  [ $((i % 20)) = 0 ] && say "waiting for the agent to register"
  sleep 0.3
done
[ -n "$up" ] || { tail -20 "$RUN/agent.log" >&2; die "the agent did not register; see $RUN/agent.log"; }
say "host $host_id is up"
step_end

if [ "${INFRA_DEMO:-1}" = 1 ]; then
  INFRA_HOST_ID=$host_id bash "$top/packaging/cloud/demo.sh"
else
  cat <<MSG

Infra is up (controller $LISTEN, host $host_id registered; infractl is configured). Logs: $RUN/*.log
Stop the daemons: make cloud-down. Remove everything: make cloud-purge.
MSG
fi
