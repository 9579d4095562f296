# Sourced by rc.boot and by the udhcpc hook: applies network-config v2 or DHCP, prints GUEST-NET lines.

# Prints the state of one NIC as GUEST-NET: its first IPv4 and IPv6 (global) address, the IPv4
# default gateway and the MTU.
net_report() { # net_report SRC DEV
  local ip gw ip6
  ip=$(ip -4 -o addr show dev "$2" | awk '{print $4; exit}')
  gw=$(ip -4 route show default dev "$2" | awk '{print $3; exit}')
  ip6=$(ip6_of "$2" | awk '{print $4; exit}')
  console_line "GUEST-NET src=$1 dev=$2 ip=${ip:-none} gw=${gw:-none} ip6=${ip6:-none} mtu=$(cat /sys/class/net/$2/mtu)"
}

# The NIC's IPv6 addresses other than link-local (slirp's RA gives site-local fec0::/64).
ip6_of() { ip -6 -o addr show dev "$1" | grep -v -e 'scope link' -e 'scope host'; }

# Writes one GUEST-* line to the console. Once the shell is up (rc.boot done), a line printed later
# by a background job starts on a fresh line, not after the prompt.
console_line() { if [ -f /run/boot-done ]; then printf '\n%s\n' "$*"; else printf '%s\n' "$*"; fi > /dev/console; }

nics() { for d in /sys/class/net/*; do [ "${d##*/}" = lo ] || echo "${d##*/}"; done; }

# The NIC a v2 ethernet entry means: match.macaddress, else match.name (a glob), else its id.
net_find_nic() { # net_find_nic FLATFILE ID
  local mac name n
  mac=$(sed -n "s/^ethernets\.$2\.match\.macaddress=//p" "$1" | head -1 | tr A-F a-f)
  name=$(sed -n "s/^ethernets\.$2\.match\.name=//p" "$1" | head -1)
  for n in $(nics); do
    if [ -n "$mac" ]; then [ "$(cat /sys/class/net/$n/address)" = "$mac" ] && { echo "$n"; return; }
    elif [ -n "$name" ]; then
      # shellcheck disable=SC2254 # the name is a glob on purpose (netplan's match.name)
      case $n in $name) grep -qx "$n" /run/nics-claimed 2>/dev/null || { echo "$n"; return; } ;; esac
    elif [ "$n" = "$2" ]; then echo "$n"; return
    fi
  done
  return 1
}

# Applies every ethernet of a network-config v2 file; fails (so the caller uses DHCP) when the file
# has no v2 ethernets. cloud-init also accepts the config nested under "network:".
net_from_cidata() {
  local f=/run/network-config.flat id dev v to via metric i a
  awk -f /lib/yaml.awk "$1" | sed 's/^network\.//' > "$f"
  grep -qx 'version=2' "$f" && grep -q '^ethernets\.' "$f" || {
    echo "GUEST-NET-CONFIG ignored: not network-config version 2 with ethernets; using DHCP"; return 1; }
  for id in $(sed -n 's/^ethernets\.\([^.=]*\)\..*/\1/p' "$f" | awk '!seen[$0]++'); do
    get() { sed -n "s/^ethernets\.$id\.$1=//p" "$f"; }
    dev=$(net_find_nic "$f" "$id") || {
      echo "GUEST-NET none id=$id: no NIC matches $(get 'match\.[a-z]*' | head -1)"; continue; }
    echo "$dev" >> /run/nics-claimed
    v=$(get set-name | head -1)
    [ -n "$v" ] && [ "$v" != "$dev" ] && ip link set dev "$dev" name "$v" && dev=$v
    v=$(get mtu | head -1); [ -n "$v" ] && ip link set dev "$dev" mtu "$v"
    ip link set dev "$dev" up
    for a in $(get 'addresses\.[0-9]*'); do
      # no DAD: an address from the config drive is the controller's to give, usable at once
      case $a in *:*) echo 0 > "/proc/sys/net/ipv6/conf/$dev/accept_dad"; ip -6 addr add "$a" dev "$dev" ;; *) ip addr add "$a" dev "$dev" ;; esac
    done
    v=$(get gateway4 | head -1); [ -n "$v" ] && ip route add default via "$v" dev "$dev"
    v=$(get gateway6 | head -1); [ -n "$v" ] && ip -6 route add default via "$v" dev "$dev"
    for i in $(sed -n "s/^ethernets\.$id\.routes\.\([0-9]*\)\..*/\1/p" "$f" | uniq); do
      to=$(get "routes\.$i\.to" | head -1); via=$(get "routes\.$i\.via" | head -1)
      metric=$(get "routes\.$i\.metric" | head -1)
      case $to in default|'') case $via in *:*) to=::/0 ;; *) to=0.0.0.0/0 ;; esac ;; esac
      ip route add "$to" ${via:+via "$via"} dev "$dev" ${metric:+metric "$metric"} ||
        echo "GUEST-NET-CONFIG route to=$to via=$via on $dev failed"
    done
    mkdir -p /run/resolv.d
    for a in $(get 'nameservers\.addresses\.[0-9]*'); do echo "nameserver $a"; done >> /run/resolv.d/cidata
    v=$(get 'nameservers\.search\.[0-9]*' | tr '\n' ' '); [ -n "$v" ] && echo "search $v" >> /run/resolv.d/cidata
    cat /run/resolv.d/* > /etc/resolv.conf 2>/dev/null
    if [ "$(get dhcp4 | head -1)" = true ]; then net_dhcp "$dev"; else net_report cidata "$dev"; fi
  done
  return 0
}

# DHCPv4 on one NIC. udhcpc tries for 5 s in the foreground, then keeps trying (and later renews) in
# the background; its hook (/lib/udhcpc.script) applies the lease and prints GUEST-NET.
net_dhcp() {
  ip link set dev "$1" up
  udhcpc -i "$1" -s /lib/udhcpc.script -O mtu -O staticroutes -O hostname -t 5 -T 1 -A 3 -b \
    -p "/run/udhcpc.$1.pid" >/dev/null 2>&1
}

# No usable config drive: DHCP on every NIC at once.
net_dhcp_all() {
  local n
  for n in $(nics); do net_dhcp "$n" & done
  wait
}

# Reports the first IPv6 address the kernel takes from a router advertisement (SLAAC) on each
# NIC that has none from the config drive, for up to 20 s, in the background.
net_watch_slaac() {
  local n
  for n in $(nics); do
    ip link show dev "$n" | grep -q '[<,]UP[,>]' || continue   # not configured: stays down
    [ -n "$(ip6_of "$n")" ] && continue
    ( end=$(( $(cut -d. -f1 /proc/uptime) + 20 ))
      while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
        a=$(ip6_of "$n" | grep -v tentative | awk '{print $4; exit}')
        if [ -n "$a" ]; then
          sleep 0.2   # the default route comes from the same RA, a moment later
          console_line "GUEST-NET6 src=slaac dev=$n ip6=$a gw6=$(ip -6 route show default dev "$n" | awk '{print $3; exit}')"
          exit 0
        fi
        sleep 0.2
      done
      console_line "GUEST-NET6 none dev=$n" ) &
  done
}
