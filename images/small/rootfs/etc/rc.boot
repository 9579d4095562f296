#!/bin/sh
# The small image's boot, run once by init before the console shell starts. It configures the guest
# like cloud-init would: from a NoCloud config drive (a filesystem labelled cidata) when there is one,
# else by DHCP on every NIC; IPv6 SLAAC comes from router advertisements in both cases (the kernel).
# Each step prints one GUEST-* line on the console, so tests and operators can follow it:
#   GUEST-BOOTED image=infra-small kernel=K uptime=Ns
#   GUEST-CIDATA dev=/dev/sr0 | GUEST-CIDATA none
#   GUEST-HOSTNAME name src=cidata|dhcp|default
#   GUEST-SSH-KEYS n                        (written to /root/.ssh/authorized_keys)
#   GUEST-NET src=cidata|dhcp dev=eth0 ip=A/P gw=G ip6=A6/P mtu=M   (one per NIC; GUEST-NET none dev=... when it failed)
#   GUEST-NET6 src=slaac dev=eth0 ip6=A6/P gw6=G6                   (when an RA gave a global address)
#   GUEST-USERDATA ran rc=N | GUEST-USERDATA cloud-config | GUEST-USERDATA skipped (...)
#   GUEST-READY uptime=Ns                   (boot done; the console shell starts)
. /lib/nocloud.sh
. /lib/net.sh
mkdir -p /run/cidata /root/.ssh /var/log; chmod 700 /root/.ssh
for m in $(cat /lib/modules.order); do insmod "/lib/mods/$m" 2>/dev/null; done
ip link set lo up
hostname -F /etc/hostname
: > /etc/resolv.conf
echo "GUEST-BOOTED image=infra-small kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)s"

if cidata=$(find_cidata); then
  echo "GUEST-CIDATA dev=$cidata"
  nocloud_meta /run/cidata
else
  echo "GUEST-CIDATA none"
fi
[ -f /run/hostname-set ] || echo "GUEST-HOSTNAME $(hostname) src=default"

if [ -f /run/cidata/network-config ] && net_from_cidata /run/cidata/network-config; then :; else
  net_dhcp_all
fi
net_watch_slaac

# busybox acpid maps the power button (evdev KEY_POWER) to /etc/acpi/PWRF/00000080.
acpid -c /etc/acpi -l /var/log/acpid.log

[ -f /run/cidata/user-data ] && nocloud_userdata /run/cidata/user-data
echo "GUEST-READY uptime=$(cut -d' ' -f1 /proc/uptime)s"
touch /run/boot-done
