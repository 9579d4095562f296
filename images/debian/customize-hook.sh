#!/bin/sh
# mmdebstrap customize hook ($1 = the finished root): turn it into a cloud image. Everything that
# must differ per VM (host keys, machine-id) is removed here so each VM makes its own at first boot.
set -eu
r=$1
echo debian > "$r/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
cp "$(dirname "$0")/cloud.cfg" "$r/etc/cloud/cloud.cfg.d/90-infra.cfg"
# cloud-init renders network-config for systemd-networkd (part of systemd, so no ifupdown or
# netplan to install); resolved serves DNS from it.
chroot "$r" systemctl enable systemd-networkd.service systemd-resolved.service >/dev/null 2>&1
ln -sf ../run/systemd/resolve/stub-resolv.conf "$r/etc/resolv.conf"
# Periodic housekeeping a short-lived cloud guest does not need, and that costs boot time under
# TCG: e2scrub_reap alone took ~50 s of a loaded first boot. Masked, so a user can unmask them.
for u in e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer \
         dpkg-db-backup.timer fstrim.timer getty@tty1.service; do
  ln -sf /dev/null "$r/etc/systemd/system/$u"
done
rm -f "$r"/etc/ssh/ssh_host_*          # cloud-init generates them per VM (cc_ssh)
: > "$r/etc/machine-id"; rm -f "$r/var/lib/dbus/machine-id"   # systemd makes one at first boot
# The .debs were synced out to the build cache already; the image does not keep them.
rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/log/*.log "$r"/tmp/* "$r"/var/tmp/*
