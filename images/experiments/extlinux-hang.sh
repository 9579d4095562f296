#!/bin/bash
# Experiment (run by hand; not part of the build or CI): why the images boot with GRUB, not syslinux.
# It puts the small image's kernel and initrd on a second disk booted by syslinux's MBR (mbr.bin,
# the same MBR extlinux uses) and boots that disk under TCG twice: served by qemu-storage-daemon
# over vhost-user-blk, and as a plain virtio-blk drive of qemu's own. Prints one line per run.
#   images/experiments/extlinux-hang.sh [infra-small.qcow2]
# Needs: syslinux syslinux-common mtools dosfstools (apt-get install them; the project does not).
# Result on Debian 12 (QEMU 7.2, SeaBIOS 1.16.2), 2 cores, TCG:
#   vhost-user-blk: hangs at "Booting from Hard Disk..."   virtio-blk: boots to GUEST-BOOTED
# Why: the storage daemon writes sectors straight into guest RAM (shared memfd), behind TCG's back,
# so TCG keeps its translations of code the guest then overwrote with disk data. mbr.bin runs at
# 0x7c00, copies itself to 0x600, reads the VBR into 0x7c00 and jumps there, and TCG runs the stale
# MBR translation instead of the VBR. GRUB's boot.img overwrites no code that has run. KVM executes
# guest RAM directly and does not have this problem.
set -euo pipefail
img=$(realpath "${1:-$(dirname "$0")/../../out/images/infra-small.qcow2}")
for t in syslinux mcopy mkfs.vfat; do command -v $t >/dev/null || { echo "needs $t: apt-get install syslinux syslinux-common mtools dosfstools" >&2; exit 1; }; done
w=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$w"' EXIT
qemu-img convert -O raw "$img" "$w/small.raw"
dd if="$w/small.raw" of="$w/part.raw" bs=1M skip=1 status=none
debugfs -R "dump /boot/vmlinuz $w/vmlinuz" "$w/part.raw" 2>/dev/null
debugfs -R "dump /boot/initrd.gz $w/initrd.gz" "$w/part.raw" 2>/dev/null
printf 'SERIAL 0 115200\nPROMPT 0\nTIMEOUT 0\nDEFAULT l\nLABEL l\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.gz console=ttyS0,115200 panic=-1 quiet no_timer_check\n' > "$w/syslinux.cfg"
d=$w/syslinux.raw; truncate -s 64M "$d"
echo 'start=2048, type=6, bootable' | sfdisk -q "$d"
mkfs.vfat -F 16 --offset 2048 "$d" $((63 * 1024)) >/dev/null
mcopy -i "$d@@1M" "$w/vmlinuz" "$w/initrd.gz" "$w/syslinux.cfg" ::/
syslinux --install --offset 1048576 "$d"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$d" bs=440 count=1 conv=notrunc status=none

run() { # run NAME DISK-ARGS...: boot for up to 60 s, report the last boot stage seen
  # graphics=off: SeaBIOS prints its "Booting from ..." lines on the serial port too
  local name=$1 log=$w/$1.log; shift
  qemu-system-x86_64 -machine q35,accel=tcg,memory-backend=mem,graphics=off -m 256M -nodefaults -no-user-config \
    -object memory-backend-memfd,id=mem,size=256M,share=on -display none -serial "file:$log" "$@" & pids+=($!)
  local q=$! r="hangs at \"Booting from Hard Disk...\""
  for _ in $(seq 600); do grep -aq GUEST-BOOTED "$log" 2>/dev/null && { r="boots to GUEST-BOOTED"; break; }; sleep 0.1; done
  [ "$r" != "boots to GUEST-BOOTED" ] && grep -aq 'SYSLINUX' "$log" && r="reached SYSLINUX but did not boot the kernel"
  grep -aq 'Booting from Hard Disk' "$log" || r="never reached the MBR"
  kill $q 2>/dev/null; wait $q 2>/dev/null || true
  printf '%-15s %s\n' "$name:" "$r"
}
qemu-storage-daemon --daemonize --pidfile "$w/qsd.pid" \
  --blockdev driver=file,node-name=f0,filename="$d" --blockdev driver=raw,node-name=d0,file=f0 \
  --export type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path="$w/vub.sock",writable=on
pids+=("$(cat "$w/qsd.pid")")
run vhost-user-blk -chardev socket,id=vub0,path="$w/vub.sock" -device vhost-user-blk-pci,chardev=vub0,bootindex=0
cp "$d" "$w/copy.raw"   # the storage daemon holds a lock on the first
run virtio-blk -drive file="$w/copy.raw",if=none,id=d1,format=raw -device virtio-blk-pci,drive=d1,bootindex=0
