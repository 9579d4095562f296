#!/usr/bin/env bash
# The demo `make cloud` ends with, on the cloud packaging/cloud/up.sh brought up: the small guest
# image (built or taken from the cache, imported once), tenants `demo` and `other` with the same
# network 10.0.0.0/24 (overlapping tenants), two VMs in demo and one in other; then, through the VMs'
# serial consoles (`infractl instance console`, a script piped in), the proof that demo's VMs ping
# each other and other's VM reaches neither. Everything is looked up by name first, so a second run
# reuses what the first made. Ends with a table of what exists, the commands to go on, and timings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export HOME=$(user_home)
SUBNET=10.0.0.0/24 GATEWAY=10.0.0.1 PREFIX=24
OTHER_IP=10.0.0.10   # other's VM: outside demo's first addresses, so "reaches neither" means two real targets
BOOT_TIMEOUT=${INFRA_DEMO_BOOT_TIMEOUT:-600}

j() { ctl -o json "$@"; }

# ---- image: build (or take from the cache) and import once per set of inputs
step image
say "bash images/build.sh small (cached in /var/cache/infra-images)"
heartbeat "images/build.sh small" bash "$top/images/build.sh" small > "$RUN/image.path"
image_file=$(tail -1 "$RUN/image.path")
inputs=$(cat "$image_file.inputs")
image=$(j image list | jq -r --arg k "$inputs" '[.images[]? | select(.meta.labels.inputs == $k)][0].meta.id // empty')
if [ -n "$image" ]; then
  say "image infra-small ($inputs) already imported: $image"
else
  say "infractl image import $image_file --name infra-small"
  image=$(j image import "$image_file" --name infra-small --label "inputs=$inputs" --no-progress | jq -r .meta.id)
  say "imported: $image"
fi

# ---- tenants, networks, VMs: found by name, else created
step create
tenant() {
  local id; id=$(j tenant list | jq -r --arg n "$1" '[.tenants[]? | select(.meta.name == $n)][0].meta.id // empty')
  if [ -z "$id" ]; then id=$(j tenant create "$1" | jq -r .meta.id); say "tenant $1 created: $id"; else say "tenant $1 exists: $id"; fi
  echo "$id"
}
network() {
  local id; id=$(j network list -t "$1" | jq -r '[.networks[]? | select(.meta.name == "net")][0].meta.id // empty')
  if [ -z "$id" ]; then
    id=$(j network create -t "$1" -n net --subnet "$SUBNET,gateway=$GATEWAY" | jq -r .meta.id); say "network $2/net $SUBNET created: $id"
  else say "network $2/net exists: $id"; fi
  echo "$id"
}
# instance TENANT_ID TENANT_NAME VM_NAME NIC_SPEC
instance() {
  local id; id=$(j instance list -t "$1" | jq -r --arg n "$3" '[.instances[]? | select(.meta.name == $n)][0].meta.id // empty')
  if [ -z "$id" ]; then
    id=$(j instance create -t "$1" -n "$3" --vcpus 1 --cpu-mhz 1000 --memory 256M --image "$image" --network "$4" | jq -r .meta.id)
    say "instance $2/$3 created: $id"
  else say "instance $2/$3 exists: $id"; fi
  echo "$id"
}
demo=$(tenant demo); other=$(tenant other)
demo_net=$(network "$demo" demo); other_net=$(network "$other" other)
vms=("demo vm1 $(instance "$demo" demo vm1 "$demo_net")"
     "demo vm2 $(instance "$demo" demo vm2 "$demo_net")"
     "other vm1 $(instance "$other" other vm1 "$other_net,ip=$OTHER_IP")")

address() { # the IPAM address of an instance's first port
  local port; port=$(j instance get "$1" | jq -r '.portIds[0]')
  j port get "$port" | jq -r '.fixedIps[0].address'
}

# ---- boot: RUNNING, then GUEST-READY on the serial console
step boot
declare -A ip state
for vm in "${vms[@]}"; do
  read -r t n id <<<"$vm"
  ip[$id]=$(address "$id")
  deadline=$((SECONDS + BOOT_TIMEOUT)) last=0 seen=""
  while :; do
    s=$(j instance get "$id" | jq -r .state)
    log=$(ctl instance log "$id" 2>/dev/null | tr -d '\r' || true)
    if grep -q "^GUEST-READY" <<<"$log"; then say "$t/$n: ${s#INSTANCE_STATE_}, GUEST-READY"; break; fi
    now=$(grep -o '^GUEST-[A-Z0-9-]*' <<<"$log" | tail -1 || true)
    if [ "$now" != "$seen" ] || [ $((SECONDS - last)) -ge 10 ]; then
      say "$t/$n: ${s#INSTANCE_STATE_}${now:+, console at $now}"; seen=$now last=$SECONDS
    fi
    [ "$s" = INSTANCE_STATE_ERROR ] && die "$t/$n failed: $(j instance get "$id" | jq -r .stateReason)"
    [ $SECONDS -lt $deadline ] || die "$t/$n did not boot in $BOOT_TIMEOUT s; see 'infractl instance log $id' and $RUN/agent.log"
    sleep 1
  done
  state[$id]=${s#INSTANCE_STATE_}
done

# console ID SCRIPT: pipes SCRIPT into the VM's serial shell and prints what came back (CR stripped).
console() { printf '\n%s\n' "$2" | ctl instance console "$1" --takeover --linger "${3:-4s}" 2>/dev/null | tr -d '\r'; }

# How each guest got its address: the config drive or DHCP says so on the console (GUEST-NET ... ip=A/P).
# A guest that configured none is a failure of ours (config drive or DHCP), never patched over here.
for vm in "${vms[@]}"; do
  read -r t n id <<<"$vm"
  deadline=$((SECONDS + 60)) line=
  while [ -z "$line" ]; do
    line=$(ctl instance log "$id" | tr -d '\r' | grep -o "^GUEST-NET src=[a-z]* dev=eth0 ip=${ip[$id]}/[0-9]*" | tail -1)
    [ -n "$line" ] && break
    [ $SECONDS -lt $deadline ] || die "$t/$n did not configure ${ip[$id]} from its config drive or DHCP; its console says: $(ctl instance log "$id" | tr -d '\r' | grep '^GUEST-' | tr '\n' ';')"
    sleep 1
  done
  say "$t/$n: $line"
done

# ---- proof: pings typed into the guests' consoles
step proof
# ping_from ID DST...: one console session on ID pinging each DST in turn; prints "DST rc LINE" per
# DST: rc 0 when DST answered, LINE is ping's summary.
ping_from() {
  local id=$1 script="" dst out rc; shift
  for dst in "$@"; do script+="ping -c 3 -W 2 $dst; echo PING-RESULT dst=$dst rc=\$?; "; done
  out=$(console "$id" "$script" "$((4 + 6 * $#))s")
  for dst in "$@"; do
    rc=$(grep -o "^PING-RESULT dst=$dst rc=[0-9]*" <<<"$out" | tail -1 | sed 's/.*rc=//')
    echo "$dst ${rc:-none} $(grep -A1 "^--- $dst ping statistics" <<<"$out" | grep "packets transmitted" | tail -1)"
  done
}
# answered FROM TO NAME: pings until TO answers (a first ARP can be lost while flows settle), bounded.
answered() {
  local from=$1 to=$2 name=$3 attempt d rc summary
  for attempt in 1 2 3 4 5; do
    read -r d rc summary <<<"$(ping_from "$from" "$to")"
    [ "$rc" = 0 ] && break
    say "$name ($to): no answer yet (attempt $attempt: ${summary:-no output}); retrying"
    sleep 3
  done
  echo "$to ${rc:-none} $summary"
}
read -r _ _ vm1 <<<"${vms[0]}"; read -r _ _ vm2 <<<"${vms[1]}"; read -r _ _ ovm <<<"${vms[2]}"
# The three consoles are separate sessions, so the three guests ping at the same time.
res=$(mktemp -d); trap 'rm -rf "$res"' EXIT
answered "$vm1" "${ip[$vm2]}" "demo/vm1 -> demo/vm2" > "$res/a" &
answered "$vm2" "${ip[$vm1]}" "demo/vm2 -> demo/vm1" > "$res/b" &
ping_from "$ovm" "${ip[$vm1]}" "${ip[$vm2]}" > "$res/c" &
wait
proved=1
for r in "a demo/vm1 demo/vm2" "b demo/vm2 demo/vm1"; do
  read -r f fname tname <<<"$r"; read -r to rc summary < "$res/$f"
  if [ "$rc" = 0 ]; then say "PROOF $fname -> $tname $to: answered ($summary)"
  else say "PROOF-FAILED $fname -> $tname $to: no answer ($summary)"; proved=""; fi
done
while read -r to rc summary; do
  tname=demo/vm1; [ "$to" = "${ip[$vm2]}" ] && tname=demo/vm2
  if [ "$rc" = 1 ]; then say "PROOF other/vm1 -> $tname $to: refused, no answer ($summary)"
  else say "PROOF-FAILED other/vm1 -> $tname $to: expected no answer, got rc=$rc ($summary)"; proved=""; fi
done < "$res/c"
step_end

# ---- what exists, what to do next
echo
printf '%-8s %-5s %-30s %-12s %s\n' TENANT VM ID ADDRESS STATE
for vm in "${vms[@]}"; do
  read -r t n id <<<"$vm"
  printf '%-8s %-5s %-30s %-12s %s\n' "$t" "$n" "$id" "${ip[$id]}" "$(j instance get "$id" | jq -r '.state | sub("INSTANCE_STATE_"; "")')"
done
cat <<MSG

Tenants demo ($demo) and other ($other) both use $SUBNET; only demo's VMs reach each other.
Go on with:
  infractl instance list -t $demo
  infractl instance console $vm1            # the guest's shell (Ctrl-] detaches); try: ping ${ip[$vm2]}
  infractl instance log $ovm                 # what other/vm1 printed while booting
  infractl instance create -t $demo -n vm3 --vcpus 1 --cpu-mhz 1000 --memory 256M --image $image --network $demo_net
  infractl instance delete $vm2
Logs: $RUN/controller.log, $RUN/agent.log. Stop the daemons: make cloud-down (VMs keep running).
Remove everything make cloud made: make cloud-purge.

MSG
echo "Timings (s):"
awk '{ printf "  %-10s %4d\n", $1, $2; t += $2 } END { printf "  %-10s %4d\n", "total", t }' "$TIMINGS"
[ -n "$proved" ] || die "the ping proof failed (see the PROOF-FAILED lines above)"
echo "infra: the cloud is up and the demo's proof holds"
