# Sourced by rc.boot: the NoCloud config drive, read the way cloud-init's NoCloud datasource reads it.
# The drive is any filesystem labelled cidata or CIDATA (ISO 9660 or vfat; a CD on virtio-scsi or a
# virtio-blk disk) with meta-data, and optionally network-config (v2) and user-data.

# Mounts the config drive on /run/cidata and prints its device; fails when there is none.
find_cidata() {
  local h d i
  # The kernel scans a virtio-scsi bus in the background, target by target (slow under TCG); a CD
  # is usually at target 0, LUN 0 (qemu's default), so that one is asked for first, synchronously.
  for h in /sys/class/scsi_host/host*; do [ -e "$h/scan" ] && echo "0 0 0" > "$h/scan" 2>/dev/null; done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    d=$(findfs LABEL=cidata 2>/dev/null || findfs LABEL=CIDATA 2>/dev/null) && break
    # Only a SCSI host without a CD yet is worth waiting for (its CD may still be probing).
    ls /sys/class/scsi_host/ 2>/dev/null | grep -q . && ! ls /sys/block | grep -q '^sr' || return 1
    sleep 0.2
  done
  [ -n "$d" ] && mount -o ro "$d" /run/cidata 2>/dev/null && echo "$d"
}

# meta-data: local-hostname (or hostname), instance-id, public-keys (a string, a list, or a map of
# names to keys or lists); user-data #cloud-config: hostname, ssh_authorized_keys (top level and users).
nocloud_meta() {
  local dir=$1 name keys n
  [ -f "$dir/meta-data" ] || return 0
  awk -f /lib/yaml.awk "$dir/meta-data" > /run/meta-data.flat
  sed -n 's/^instance-id=//p' /run/meta-data.flat | head -1 > /run/instance-id
  name=$(sed -n 's/^local-hostname=//p; s/^hostname=//p' /run/meta-data.flat | head -1)
  keys=$(sed -n 's/^public-keys[^=]*=//p' /run/meta-data.flat)
  if [ -f "$dir/user-data" ] && head -1 "$dir/user-data" | grep -q '^#cloud-config'; then
    awk -f /lib/yaml.awk "$dir/user-data" > /run/user-data.flat
    name=$(sed -n 's/^hostname=//p' /run/user-data.flat | head -1 | grep . || echo "$name")
    keys=$(printf '%s\n%s' "$keys" "$(sed -n 's/^\(users\.[0-9]*\.\)\{0,1\}ssh[_-]authorized[_-]keys[^=]*=//p' /run/user-data.flat)")
  fi
  if [ -n "$name" ]; then
    name=${name%%.*}; hostname "$name"; echo "$name" > /etc/hostname
    grep -q " $name$" /etc/hosts 2>/dev/null || echo "127.0.1.1 $name" >> /etc/hosts
    echo "GUEST-HOSTNAME $name src=cidata"; touch /run/hostname-set
  fi
  printf '%s\n' "$keys" | grep -E '^(ssh-|ecdsa-|sk-)' | sort -u > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
  n=$(grep -c . /root/.ssh/authorized_keys)
  echo "GUEST-SSH-KEYS $n"
}

# user-data: a script (#!) runs once the network is configured, in the background so the console
# comes up; its output goes to the console and /var/log/user-data.log. #cloud-config is read for
# the keys above only; other formats (MIME multipart, gzip) are not understood and are skipped.
nocloud_userdata() {
  local f=$1 interp
  case "$(head -c 2 "$f")" in
    '#!')
      cp "$f" /run/user-data.script; chmod 700 /run/user-data.script
      interp=$(head -1 "$f" | sed 's/^#! *//; s/[ \t].*//')
      # busybox has no bash: a #!/bin/bash script runs under busybox sh (ash), as most simple ones can.
      [ -x "$interp" ] && set -- /run/user-data.script || set -- /bin/sh /run/user-data.script
      ( "$@" > /dev/console 2>&1 < /dev/null; rc=$?
        echo "GUEST-USERDATA ran rc=$rc" > /var/log/user-data.log; console_line "GUEST-USERDATA ran rc=$rc" ) &
      ;;
    '#c') echo "GUEST-USERDATA cloud-config" ;;
    *) echo "GUEST-USERDATA skipped (not a #! script or #cloud-config)" ;;
  esac
}
