#!/bin/bash
# Boots an image the way the agent does, to try it by hand: qemu-storage-daemon serves a throw-away
# qcow2 overlay of DISK over vhost-user-blk, qemu runs under TCG (or KVM with ACCEL=kvm) with the
# serial console on this terminal (type into the guest's shell; Ctrl-A X quits), user-mode networking
# (its DHCP server answers the guest) and CIDATA, if given, as a CD on virtio-scsi.
#   images/boot.sh DISK.qcow2 [CIDATA.iso]
# TAP=NAME uses that existing tap instead of user-mode networking; MAC=... sets the NIC's address.
# SERIAL=FILE sends the console to FILE instead and runs in the background for TIMEOUT s (default 60).
set -euo pipefail
[ $# -ge 1 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
disk=$(realpath "$1"); iso=${2:+$(realpath "$2")}
run=$(mktemp -d); qemu=
trap 'kill $qemu 2>/dev/null; [ -f "$run/qsd.pid" ] && kill "$(cat "$run/qsd.pid")"; rm -rf "$run"' EXIT
qemu-img create -q -f qcow2 -F qcow2 -b "$disk" "$run/overlay.qcow2"
qemu-storage-daemon --daemonize --pidfile "$run/qsd.pid" \
  --blockdev driver=file,node-name=file0,filename="$run/overlay.qcow2" \
  --blockdev driver=qcow2,node-name=disk0,file=file0 \
  --export type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path="$run/vub.sock",writable=on
cd=(); [ -n "$iso" ] && cd=(-drive "file=$iso,if=none,id=cd0,format=raw,readonly=on"
  -device virtio-scsi-pci,id=scsi0 -device scsi-cd,drive=cd0)
mem=${MEM:-512}
args=(-machine "q35,accel=${ACCEL:-tcg},memory-backend=mem" -m "${mem}M" -nodefaults -no-user-config
  -object "memory-backend-memfd,id=mem,size=${mem}M,share=on" -display none
  -chardev "socket,id=vub0,path=$run/vub.sock" -device vhost-user-blk-pci,chardev=vub0,bootindex=0
  "${cd[@]}")
if [ -n "${TAP:-}" ]; then args+=(-netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no")
else args+=(-netdev user,id=n0); fi
args+=(-device "virtio-net-pci,netdev=n0,romfile=${MAC:+,mac=$MAC}")   # romfile=: no iPXE ROM, 1 s less
if [ -z "${SERIAL:-}" ]; then
  qemu-system-x86_64 "${args[@]}" -serial mon:stdio
else
  rm -f "$SERIAL"; t0=$(date +%s.%N)
  qemu-system-x86_64 "${args[@]}" -serial "file:$SERIAL" & qemu=$!
  for _ in $(seq $((${TIMEOUT:-60} * 10))); do grep -aq "${UNTIL:-GUEST-READY}" "$SERIAL" 2>/dev/null && break; sleep 0.1; done
  awk -v t0="$t0" -v t1="$(date +%s.%N)" -v u="${UNTIL:-GUEST-READY}" 'BEGIN {printf "%s after %.1f s\n", u, t1 - t0}'
fi
