#!/usr/bin/env bash
# Brings up a single-host Infra cloud on this machine: Open vSwitch, the controller on the embedded
# SQLite store, and the agent, all on loopback. Idempotent: run it again to restart the daemons.
#   packaging/cloud/up.sh        start (installs packages and builds first)
#   packaging/cloud/up.sh down   stop the daemons (VMs and volumes stay, as on a real host)
# Where systemd is PID 1 the daemons run as transient units; elsewhere as background processes
# with pid files under $RUN. Logs: $RUN/*.log (or journalctl -u infra-*).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
RUN=${INFRA_RUN:-/run/infra-cloud}
STATE=${INFRA_STATE:-/var/lib/infra}
OUT=$top/out/cloud
LISTEN=${INFRA_LISTEN:-127.0.0.1:7443}
mkdir -p "$RUN" "$STATE" "$STATE/agent" /etc/infra

stop_pid() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null || true; rm -f "$1"; }

down() {
  stop_pid "$RUN/agent.pid"; stop_pid "$RUN/controller.pid"
  echo "infra: daemons stopped (VMs, volumes and OVS keep running; 'up.sh purge' removes them too)"
}

purge() {
  down
  pkill -F "$RUN/ovs-vswitchd.pid" 2>/dev/null || true; pkill -F "$RUN/ovsdb-server.pid" 2>/dev/null || true
  for p in "$STATE"/agent/vms/*/qemu.pid "$STATE"/agent/volumes/*/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  echo "infra: purged"
}

case "${1:-up}" in
  down) down; exit 0 ;;
  purge) purge; exit 0 ;;
  up) ;;
  *) echo "usage: $0 [up|down|purge]" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || { echo "infra: run as root (sudo make cloud): OVS, namespaces and cgroups need it" >&2; exit 1; }
bash "$top/tests/setup-host.sh"

echo "infra: building (dotnet publish)"
for p in controller/Infra.Controller controller/Infra.Ctl agent/Infra.Agent; do
  dotnet publish "$top/$p" -c Release -o "$OUT/$(basename "$p")" -v q --nologo >/dev/null
done
ln -sf "$OUT/Infra.Ctl/infractl" /usr/local/bin/infractl

# Open vSwitch: the system instance if it answers, else our own with the userspace datapath
# (no kernel module needed).
DB=unix:/var/run/openvswitch/db.sock
if ! ovs-vsctl --db=$DB --timeout=2 show >/dev/null 2>&1; then
  echo "infra: starting Open vSwitch (userspace datapath)"
  mkdir -p /var/run/openvswitch /etc/openvswitch
  [ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server --detach --no-chdir --pidfile=$RUN/ovsdb-server.pid --log-file=$RUN/ovsdb-server.log \
    --remote=punix:/var/run/openvswitch/db.sock /etc/openvswitch/conf.db
  ovs-vsctl --db=$DB --no-wait init
  ovs-vswitchd --detach --no-chdir --pidfile=$RUN/ovs-vswitchd.pid --log-file=$RUN/ovs-vswitchd.log $DB
fi
datapath=netdev; [ -d /sys/module/openvswitch ] && datapath=system

# A token for this cloud's operator, shared by infractl through its config file.
[ -f /etc/infra/tokens ] || (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' > /etc/infra/tokens)
token=$(head -1 /etc/infra/tokens)
mkdir -p ~/.config/infra
printf 'controller: http://%s\ntoken: %s\n' "$LISTEN" "$token" > ~/.config/infra/infractl.yaml

down >/dev/null
echo "infra: starting the controller on $LISTEN (store: $STATE/state.db)"
rm -f "$RUN/controller.ready"
nohup "$OUT/Infra.Controller/infra-controller" --listen "$LISTEN" --store "sqlite:$STATE/state.db" \
  --token-file /etc/infra/tokens --ready-file "$RUN/controller.ready" > "$RUN/controller.log" 2>&1 &
echo $! > "$RUN/controller.pid"
for _ in $(seq 100); do [ -s "$RUN/controller.ready" ] && break; sleep 0.2; done
[ -s "$RUN/controller.ready" ] || { echo "infra: the controller did not start; see $RUN/controller.log" >&2; tail -20 "$RUN/controller.log" >&2; exit 1; }

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
  ovs_run_dir: /var/run/openvswitch
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
mkdir -p "$STATE/pools/default"
echo "infra: starting the agent (runner: $runner, datapath: $datapath)"
"$OUT/Infra.Agent/infra-agent" --config "$RUN/agent.yaml" --check-config
nohup "$OUT/Infra.Agent/infra-agent" --config "$RUN/agent.yaml" > "$RUN/agent.log" 2>&1 &
echo $! > "$RUN/agent.pid"
for _ in $(seq 100); do infractl host list --output json 2>/dev/null | grep -q '"UP"\|HOST_STATE_UP' && break; sleep 0.3; done
infractl host list || true
cat <<MSG

Infra is up (controller $LISTEN, this host registered). Try:
  infractl tenant create demo
  infractl network create -t <tenant-id> -n net1 --subnet 10.0.0.0/24,gateway=10.0.0.1
  infractl image import <disk.qcow2> -n base
  infractl instance create -t <tenant-id> -n vm1 --vcpus 2 --cpu-mhz 2000 --memory 512 --image <image-id> --network <network-id>
  infractl instance list -t <tenant-id>
Logs: $RUN/controller.log, $RUN/agent.log. Stop the daemons: packaging/cloud/up.sh down
MSG
