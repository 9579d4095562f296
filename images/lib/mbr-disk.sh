# Sourced. mbr_disk OUT.raw SIZE_MIB FS_TYPE LABEL ROOTDIR GRUB_CFG [MKFS_OPTS]
# A BIOS/MBR disk without loop devices or root-only tools: one bootable partition at 1 MiB made with
# mke2fs -d (the files of ROOTDIR, owners kept), GRUB's boot.img in the MBR's first 440 bytes (the
# partition table stays) and core.img in the gap from sector 1, where boot.img looks by default, with
# GRUB_CFG embedded. No /boot/grub and no normal.mod are needed: core.img runs that script itself.
#
# Why GRUB and not extlinux: under TCG, qemu-storage-daemon (vhost-user-blk) writes disk sectors into
# guest RAM behind TCG's back, so TCG keeps running stale translations of code that the guest then
# overwrote with disk data. extlinux's MBR copies itself to 0x600 and reads the VBR to 0x7c00, over
# code that ran: it hangs at "Booting from Hard Disk...". GRUB's boot.img overwrites no code that ran.
mbr_disk() {
  local out=$1 size=$2 fstype=$3 label=$4 root=$5 cfg=$6 mkfs_opts=${7:-} core
  core=$(mktemp); trap 'rm -f "$core"' RETURN
  grub-mkimage -O i386-pc -o "$core" -c "$cfg" -p '(hd0,msdos1)/boot/grub' \
    biosdisk part_msdos ext2 linux serial terminal echo || die "grub-mkimage failed"
  [ "$(stat -c %s "$core")" -lt $((2047 * 512)) ] || die "core.img does not fit the 1 MiB MBR gap"
  rm -f "$out"; truncate -s "${size}M" "$out"
  echo 'start=2048, type=83, bootable' | sfdisk -q "$out" || die "sfdisk failed"
  # shellcheck disable=SC2086 # mkfs_opts is a list of options
  mke2fs -q -F -t "$fstype" -L "$label" $mkfs_opts -d "$root" -E offset=1048576 "$out" $((size - 1))M ||
    die "mke2fs failed"
  dd if=/usr/lib/grub/i386-pc/boot.img of="$out" bs=440 count=1 conv=notrunc status=none
  dd if="$core" of="$out" bs=512 seek=1 conv=notrunc status=none
}
