#!/usr/bin/env bash
# Installs the real components the tests drive (Open vSwitch, qemu, etcd, dbus, grpcio, ...).
# Idempotent: a package already present is not fetched again. Needs root (CI runs as root).
set -euo pipefail
pkgs=(
  openvswitch-switch            # ovsdb-server + ovs-vswitchd (userspace datapath) for the SDN tests
  qemu-system-x86 qemu-utils qemu-system-common   # VMs, images, vhost-user-blk
  etcd-server etcd-client       # the HA store backend
  dbus                          # dbus-daemon, the D-Bus peer
  python3-grpcio python3-grpc-tools python3-protobuf   # the reference gRPC peer
  python3-yaml                  # PyYAML, the parser cloud-init reads config drives with
  iproute2 iputils-ping netcat-openbsd socat           # namespaces, veth, packets
  debootstrap systemd cpio      # a booted systemd test root; the test guest's initrd
  bsdutils                      # script(1): a pty for the interactive console test (Essential on Debian)
  mmdebstrap grub-pc-bin fdisk e2fsprogs   # make image: the Debian root, GRUB, the MBR disk (images/)
  genisoimage dnsmasq-base openssh-client  # image tests: NoCloud drives, DHCP + RA, SSH into the Debian guest
  busybox isc-dhcp-client tcpdump           # DHCP responder tests: real clients (udhcpc, dhclient) and a capture
  jq make util-linux            # make cloud's demo reads infractl's JSON; unshare/nsenter for its sandbox test
)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The unprivileged account qemu drops to (agent compute.qemu_user), as the package's sysusers.d
# file creates it on a real host.
if ! getent passwd infra-qemu >/dev/null; then
  systemd-sysusers "$(dirname "$0")/../packaging/sysusers/infra.conf" 2>/dev/null \
    || useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin infra-qemu
fi
