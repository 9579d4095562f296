#!/bin/sh
# mmdebstrap essential hook ($1 = the root, before the kernel is installed): make the one initramfs
# the kernel's postinst builds a small one. MODULES=most would put every storage driver in it (about
# 30 MB), and GRUB reads the initramfs over vhost-user-blk through the BIOS, slowly under TCG; the
# image only ever boots on qemu's virtio devices.
set -eu
# fstab first: the initramfs build reads it to decide that fsck.ext4 goes in.
echo "LABEL=infra-root / ext4 errors=remount-ro 0 1" > "$1/etc/fstab"
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
cat > "$1/etc/initramfs-tools/conf.d/infra-image.conf" <<'EOF'
# infra-debian: a qemu guest; only the virtio drivers (see hooks/infra-virtio).
MODULES=list
COMPRESS=zstd
EOF
cat > "$1/etc/initramfs-tools/hooks/infra-virtio" <<'EOF'
#!/bin/sh
# infra-debian: the root disk is virtio-blk (vhost-user-blk), possibly behind virtio-scsi.
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_blk virtio_scsi sd_mod
EOF
chmod +x "$1/etc/initramfs-tools/hooks/infra-virtio"
