#!/bin/bash
# The small image: Debian's cloud kernel and a busybox initrd (rootfs/ plus the modules a qemu guest
# needs) on a 64 MiB BIOS/MBR disk booted by GRUB. The guest runs from RAM; the disk only carries
# the boot files, so one base image serves any number of VMs (each on its own qcow2 overlay).
#   build.sh key        print the inputs hash (these files, the kernel and busybox versions)
#   build.sh build DIR  write DIR/infra-small.qcow2 (DEBS: where downloaded .debs are kept)
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$IMAGES_DIR/lib/mbr-disk.sh"
HERE=$IMAGES_DIR/small
# The modules a q35 guest with virtio disks, NICs and CDs needs, plus the ACPI power button (evdev).
# The cloud kernel has no AHCI driver: a CD must be on virtio-scsi (or be a virtio-blk disk).
MODULES="virtio_pci virtio_blk virtio_net virtio_scsi sr_mod isofs vfat nls_cp437 nls_ascii evdev button"

inputs() { find "$HERE" "$IMAGES_DIR/lib" -type f | LC_ALL=C sort; }
# The metapackage's version moves with the kernel it points at, so one apt-cache call is enough.
versions() { candidate_versions linux-image-cloud-amd64 busybox-static; echo "modules $MODULES"; }

case "${1:-}" in
key) mapfile -t files < <(inputs); inputs_hash "$(versions)" "${files[@]}" ;;
build)
  out=$2; debs=${DEBS:-$out/debs}
  need grub-mkimage grub-pc-bin; need cpio cpio; need qemu-img qemu-utils; need sfdisk fdisk; need mke2fs e2fsprogs
  w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
  kpkg=$(cloud_kernel_pkg); mkdir -p "$debs" "$out"
  say "small: downloading $kpkg and busybox-static from Debian (about 28 MB, kept in $debs)"
  (cd "$debs" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" busybox-static >"$w/apt.log" 2>&1) ||
    { cat "$w/apt.log" >&2; die "apt-get download failed"; }
  kver=${kpkg#linux-image-}
  kdeb=$(ls -t "$debs"/"$kpkg"_*.deb | head -1); bdeb=$(ls -t "$debs"/busybox-static_*.deb | head -1)
  say "small: unpacking $(basename "$kdeb") and $(basename "$bdeb")"
  dpkg-deb -x "$kdeb" "$w/k"; dpkg-deb -x "$bdeb" "$w/bb"
  depmod -b "$w/k" "$kver"   # modules.dep, so modprobe -D can order the modules' dependencies
  say "small: initrd: busybox, rootfs/ and the modules $MODULES (with their dependencies)"
  r=$w/root; mkdir -p "$r/bin" "$r/lib/mods"
  cp -a "$HERE/rootfs/." "$r/"; cp "$w/bb/bin/busybox" "$r/bin/"
  for m in $MODULES; do modprobe -d "$w/k" -S "$kver" -D "$m"; done | # "insmod PATH" per dependency, in order
    awk '$1 == "insmod" && !seen[$2]++ {print $2}' | while read -r f; do
      cp "$f" "$r/lib/mods/"; echo "${f##*/}" >> "$r/lib/modules.order"; done
  mkdir -p "$w/fs/boot"
  (cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9) > "$w/fs/boot/initrd.gz"
  cp "$w/k/boot/vmlinuz-$kver" "$w/fs/boot/vmlinuz"
  say "small: kernel $(du -h "$w/fs/boot/vmlinuz" | cut -f1), initrd $(du -h "$w/fs/boot/initrd.gz" | cut -f1)"
  # GRUB's core runs this script itself (see lib/mbr-disk.sh). no_timer_check: under TCG on a busy
  # host the kernel's IO-APIC timer probe can miss its window and panic.
  cat > "$w/grub.cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
echo "GRUB: loading the infra-small kernel"
set root=(hd0,msdos1)
linux /boot/vmlinuz console=ttyS0,115200 panic=-1 quiet no_timer_check
initrd /boot/initrd.gz
boot
CFG
  say "small: disk: MBR, GRUB (boot.img + core.img), ext2 partition with the kernel and initrd"
  mbr_disk "$w/disk.raw" 64 ext2 infra-small "$w/fs" "$w/grub.cfg"
  qemu-img convert -O qcow2 "$w/disk.raw" "$out/infra-small.qcow2.tmp"
  mv "$out/infra-small.qcow2.tmp" "$out/infra-small.qcow2"
  say "small: wrote $out/infra-small.qcow2 ($(du -h "$out/infra-small.qcow2" | cut -f1))" ;;
*) sed -n 's/^#   build.sh/build.sh/p' "$0" >&2; exit 2 ;;
esac
