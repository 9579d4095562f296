#!/bin/bash
# The Debian image: Debian 12 with cloud-init (NoCloud), qemu-guest-agent and openssh-server, made by
# mmdebstrap into a directory and written into a 2 GiB BIOS/MBR disk (ext4, GRUB) without loop
# devices. Kept small: the apt variant plus only what boots and configures a cloud guest, no
# recommends, no docs, man pages or translations; one small initramfs (the virtio modules only).
#   build.sh key        print the inputs hash (these files, the versions of the packages below)
#   build.sh build DIR  write DIR/infra-debian.qcow2 (DEBS: where downloaded .debs are kept)
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$IMAGES_DIR/lib/mbr-disk.sh"
HERE=$IMAGES_DIR/debian
# What the guest needs on top of apt: a kernel and init, cloud-init with a network renderer that is
# already there (systemd-networkd) and DNS (resolved), the guest agent and sshd, and the tools
# cloud-init calls (useradd, sudo for the default user, growpart and resize2fs for bigger volumes).
PACKAGES="linux-image-cloud-amd64 initramfs-tools zstd systemd-sysv udev dbus systemd-resolved
 cloud-init qemu-guest-agent openssh-server sudo passwd iproute2 netbase procps e2fsprogs cloud-guest-utils"
SIZE_MIB=2048

inputs() { find "$HERE" "$IMAGES_DIR/lib" -type f | LC_ALL=C sort; }
# linux-image-cloud-amd64's version moves with the kernel it points at (one apt-cache call).
versions() { candidate_versions $PACKAGES; }

# mmdebstrap --verbose prints every dpkg line; pass its stages (I:), warnings and errors through,
# and one "Setting up" line every few seconds, so a long install shows it is moving.
progress() {
  local l last=0 n=0
  while IFS= read -r l; do
    case $l in
      # Known and harmless: apt downloading as root into a root-owned chroot; the eatmydata hook's
      # temporary apt.conf gone by cleanup time; no fsck in the initramfs (systemd checks the root).
      *"Download is performed unsandboxed"*|*"mmdebstrap.apt.conf"*|*"type of root file system for fsck hook"*) ;;
      I:*|W:*|E:*) say "  $l" ;;
      "Setting up "*) n=$((n + 1))
        [ $(($(date +%s) - last)) -ge 5 ] && { say "  ${l%% (*} ($n packages set up)"; last=$(date +%s); } ;;
    esac
  done
}

case "${1:-}" in
key) mapfile -t files < <(inputs); inputs_hash "$(versions)" "${files[@]}" ;;
build)
  out=$2; debs=${DEBS:-$out/debs}
  need mmdebstrap mmdebstrap; need grub-mkimage grub-pc-bin; need qemu-img qemu-utils; need sfdisk fdisk
  # The work dir (a 348 MB tree, a 2 GiB sparse disk) is removed in the background: deleting it
  # can take half a minute on a busy disk, after the image is already written.
  w=$(mktemp -d); trap 'rm -rf "$w" </dev/null >/dev/null 2>&1 &' EXIT
  mkdir -p "$debs" "$out"
  mapfile -t sources < <(debian_sources)
  say "debian: mmdebstrap bookworm (variant apt + $(wc -w <<<"$PACKAGES") packages and their dependencies) from ${sources[0]#deb }; .debs kept in $debs"
  # The .debs of earlier builds go in and the new ones come out (mmdebstrap's documented cache
  # idiom), so a rebuild after a script change downloads nothing that did not change.
  # The merged-usr hook makes /usr merged the way debootstrap does and installs usr-is-merged;
  # otherwise apt satisfies init-system-helpers with usrmerge, which pulls in perl (60 MB).
  mmdebstrap --variant=apt --mode=root --format=directory --include="${PACKAGES//$'\n'/ }" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt=force-unsafe-io --aptopt='Acquire::Languages "none"' \
    --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' --setup-hook="sync-in $debs /var/cache/apt/archives/" \
    --essential-hook="$HERE/essential-hook.sh \"\$1\"" \
    --customize-hook="sync-out /var/cache/apt/archives $debs" \
    --customize-hook="$HERE/customize-hook.sh \"\$1\"" \
    --verbose bookworm "$w/root" "${sources[@]}" 2>&1 | progress
  [ -e "$w/root/vmlinuz" ] && [ -e "$w/root/initrd.img" ] || die "mmdebstrap made no /vmlinuz and /initrd.img"
  say "debian: root $(du -sh "$w/root" | cut -f1), kernel $(du -hL "$w/root/vmlinuz" | cut -f1), initrd $(du -hL "$w/root/initrd.img" | cut -f1)"
  # /vmlinuz and /initrd.img are the symlinks the kernel package keeps pointing at the newest
  # kernel, so a kernel upgrade inside the guest boots without rewriting GRUB's embedded script.
  cat > "$w/grub.cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
echo "GRUB: loading Debian (infra-debian)"
set root=(hd0,msdos1)
linux /vmlinuz root=LABEL=infra-root ro console=ttyS0,115200 no_timer_check
initrd /initrd.img
boot
CFG
  say "debian: disk: ${SIZE_MIB} MiB, MBR, GRUB, ext4 labelled infra-root"
  # GRUB 2.06 cannot read ext4 with metadata_csum_seed; orphan_file is newer than it too.
  mbr_disk "$w/disk.raw" "$SIZE_MIB" ext4 infra-root "$w/root" "$w/grub.cfg" "-O ^metadata_csum_seed,^orphan_file"
  say "debian: converting to qcow2"
  qemu-img convert -O qcow2 "$w/disk.raw" "$out/infra-debian.qcow2.tmp"
  mv "$out/infra-debian.qcow2.tmp" "$out/infra-debian.qcow2"
  say "debian: wrote $out/infra-debian.qcow2 ($(du -h "$out/infra-debian.qcow2" | cut -f1))" ;;
*) sed -n 's/^#   build.sh/build.sh/p' "$0" >&2; exit 2 ;;
esac
