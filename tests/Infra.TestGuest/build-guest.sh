#!/bin/bash
# Builds the test guest once into $1 (vmlinuz + initrd.gz): Debian's cloud kernel, busybox-static and
# the virtio modules. Concurrent callers (test projects run in parallel) serialise on a lock file and
# the second one finds the finished cache. Bump GUEST_VERSION in TestGuestImage.cs when init changes.
set -eu
CACHE=$1
SRC=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
[ -f "$CACHE/initrd.gz" ] && [ -f "$CACHE/vmlinuz" ] && exit 0
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
kernel_pkg() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image/{print $2; exit}'; }
kpkg=$(kernel_pkg)
# A host whose packages came preinstalled may have no package lists yet.
[ -n "$kpkg" ] || { apt-get update -q >/dev/null 2>&1 || true; kpkg=$(kernel_pkg); }
[ -n "$kpkg" ] || { echo "apt knows no linux-image-cloud-amd64: check /etc/apt/sources.list and run apt-get update" >&2; exit 1; }
apt-get download "$kpkg" busybox-static >apt.log 2>&1 || { cat apt.log >&2; exit 1; }
dpkg-deb -x linux-image-*.deb k
dpkg-deb -x busybox-static*.deb bb
kver=$(ls k/lib/modules); M=k/lib/modules/$kver/kernel
mkdir -p root/bin root/mods
cp bb/bin/busybox root/bin/
# virtio_ring must load before virtio; the init script loads them in this order too.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
         net/core/failover drivers/net/net_failover drivers/net/virtio_net drivers/char/virtio_console \
         drivers/input/evdev drivers/acpi/button; do
  f=$(ls $M/$m.ko* 2>/dev/null | head -1 || true); [ -n "$f" ] && cp "$f" root/mods/
done
cp "$SRC/guest-init.sh" root/init
cp "$SRC/guest-qga.sh" root/bin/qga.sh
chmod +x root/init root/bin/qga.sh
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip) > "$CACHE/initrd.gz.tmp"
cp k/boot/vmlinuz-* "$CACHE/vmlinuz"
mv "$CACHE/initrd.gz.tmp" "$CACHE/initrd.gz"
