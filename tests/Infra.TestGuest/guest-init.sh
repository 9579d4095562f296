#!/bin/busybox sh
# PID 1 of the test guest. Settings come from the kernel command line:
#   infra.test=write-disk infra.pattern=WORD  write WORD (padded to 4 KiB) at offsets 0 and 1 MiB of
#                                             every /dev/vd?, fsync, print GUEST-DISKS-DONE, power off;
#                                             first prints each disk's first line as GUEST-DISK-BEFORE vdX=
#   infra.test=read-disk                      print the first line of each /dev/vd? as GUEST-DISK vdX=<line>
#   infra.qga=1                               run the guest-agent stand-in on the first virtio port
#   infra.poweroff=1                          power off once booted
#   infra.acpi=1                              answer the ACPI power button (busybox acpid): print
#                                             GUEST-ACPI-POWEROFF and power off
#   infra.tick=1                              every 0.3 s write "TICK-<n>" (n counting up) at offset 0 of every
#                                             disk present at boot, with fsync (snapshot tests)
#   infra.watch=vdX                           report a hot-plugged disk: GUEST-HOTDISK-NODE vdX when /dev/vdX
#                                             appears, then GUEST-HOTDISK vdX=<first line>, GUEST-HOTDISK-GONE vdX
#                                             when it goes; from GUEST-WATCHING on, kernel messages as GUEST-KMSG
#   infra.dhcp=1                              udhcpc on eth0: GUEST-DHCP ip=.. mask=.. router=.. dns=.. host=.. mtu=.. routes=..
#                                             (or GUEST-DHCP-NONE), GUEST-IPV6 addr=.. route=.. (SLAAC), then the same
#                                             from a spoofed MAC: GUEST-DHCP-SPOOF none|answered, GUEST-DHCP-DONE
#   infra.shell=1                             an interactive shell on ttyS0 (respawned when it exits), after
#                                             printing GUEST-SHELL: the console tests type into it
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk failover net_failover virtio_net virtio_console evdev button; do
  f=$(ls /mods/$m.ko* 2>/dev/null); [ -n "$f" ] && insmod $f 2>/dev/null
done
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
ip link set lo up
echo "GUEST-BOOTED"
case "$(arg infra.test)" in
  write-disk)
    p=$(arg infra.pattern)
    for d in /dev/vd?; do
      echo "GUEST-DISK-BEFORE ${d#/dev/}=$(head -c 4096 $d | tr -d '\000' | head -n 1)"
      for off in 0 256; do printf '%s\n' "$p" | dd of=$d bs=4096 seek=$off count=1 conv=sync,notrunc,fsync 2>/dev/null; done
      echo "GUEST-DISK-WRITTEN-TO $d"
    done
    sync
    echo "GUEST-DISKS-DONE"
    poweroff -f ;;
  read-disk)
    for d in /dev/vd?; do echo "GUEST-DISK ${d#/dev/}=$(head -c 4096 $d | tr -d '\000' | head -n 1)"; done
    poweroff -f ;;
esac
if [ "$(arg infra.qga)" = 1 ]; then
  # Serve only the port named like qemu-guest-agent's; other ports stay silent (no-agent tests).
  port=
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    for p in /sys/class/virtio-ports/*; do
      [ "$(cat $p/name 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/${p##*/}
    done
    [ -n "$port" ] && [ -e "$port" ] && break; sleep 0.2
  done
  echo "GUEST-QGA port=$port"
  [ -n "$port" ] && /bin/qga.sh "$port" &
fi
if [ "$(arg infra.acpi)" = 1 ]; then
  # busybox acpid maps the power button (evdev KEY_POWER or /proc/acpi/event) to <confdir>/PWRF/00000080.
  mkdir -p /etc/acpi/PWRF
  printf '#!/bin/sh\necho GUEST-ACPI-POWEROFF > /dev/console\nsync\npoweroff -f\n' > /etc/acpi/PWRF/00000080
  chmod +x /etc/acpi/PWRF/00000080
  acpid -c /etc/acpi -l /tmp/acpid.log
  echo "GUEST-ACPI input=$(ls /dev/input 2>/dev/null | tr '\n' ' ')"
fi
if [ "$(arg infra.tick)" = 1 ]; then
  ( disks=$(ls /dev/vd? 2>/dev/null); n=0
    while true; do
      n=$((n+1))
      for d in $disks; do printf 'TICK-%s\n' "$n" | dd of=$d bs=4096 count=1 conv=sync,notrunc,fsync 2>/dev/null; done
      sleep 0.3
    done ) &
fi
w=$(arg infra.watch)
if [ -n "$w" ]; then
  # Printed once the guest is fully up: a disk hot-plugged before this may be missed by a guest
  # whose PCIe hot-plug driver is still settling, so tests wait for it before plugging.
  # The kernel's messages from now on (PCIe/ACPI hot-plug, PCI enumeration, virtio), on the
  # console: when a plugged disk never shows up, the log says which step stopped.
  t0=$(cut -d' ' -f1 /proc/uptime | tr -d .)0000
  cat /dev/kmsg | awk -F';' -v t0="$t0" '{ split($1, h, ","); if (h[3] + 0 >= t0 + 0) { print "GUEST-KMSG " $2; fflush() } }' &
  echo "GUEST-WATCHING $w"
  ( seen=0
    while true; do
      if [ -b /dev/$w ] && [ $seen = 0 ]; then
        # Said before the read, which needs the disk's back end to answer: a plug that stops
        # between the two shows as a node without its first line.
        seen=1; echo "GUEST-HOTDISK-NODE $w"
        echo "GUEST-HOTDISK $w=$(head -c 4096 /dev/$w | tr -d '\000' | head -n 1)"
      elif [ ! -b /dev/$w ] && [ $seen = 1 ]; then
        seen=0; echo "GUEST-HOTDISK-GONE $w"
      fi
      sleep 0.2
    done ) &
fi
if [ "$(arg infra.dhcp)" = 1 ]; then
  # The host's responder, as a guest without cloud-init meets it: busybox udhcpc on the first NIC.
  printf '#!/bin/sh\ncase "$1" in bound) echo "GUEST-DHCP ip=$ip mask=$mask router=$router dns=$dns host=$hostname mtu=$mtu routes=$staticroutes" > /dev/console\n ip addr add $ip/$mask dev $interface ;; esac\n' > /tmp/dhcp.sh
  chmod +x /tmp/dhcp.sh
  ip link set eth0 up
  udhcpc -i eth0 -f -q -n -t 10 -T 2 -O staticroutes -O mtu -O hostname -s /tmp/dhcp.sh >/dev/null 2>&1 || echo "GUEST-DHCP-NONE"
  # SLAAC from the responder's RA (the kernel solicits on link up); up to 15 s for the address.
  for i in $(seq 1 30); do a6=$(ip -6 addr show dev eth0 scope global | awk '/inet6/{print $2}'); [ -n "$a6" ] && break; sleep 0.5; done
  echo "GUEST-IPV6 addr=$a6 route=$(ip -6 route show default | awk '{print $3; exit}')"
  # A guest that spoofs another MAC asks again: the switch drops its frames, nobody answers.
  mac=$(cat /sys/class/net/eth0/address)
  ip link set eth0 down; ip link set eth0 address 02:de:ad:be:ef:01; ip link set eth0 up
  if udhcpc -i eth0 -f -q -n -t 3 -T 1 -s /tmp/dhcp.sh >/dev/null 2>&1; then echo "GUEST-DHCP-SPOOF answered"; else echo "GUEST-DHCP-SPOOF none"; fi
  ip link set eth0 down; ip link set eth0 address "$mac"; ip link set eth0 up
  echo "GUEST-DHCP-DONE"
fi
if [ "$(arg infra.shell)" = 1 ]; then
  # setsid + opening ttyS0 makes it the shell's controlling tty, so the line discipline echoes what
  # is typed and ^C reaches the foreground job.
  ( while true; do setsid sh -c 'exec sh -i </dev/ttyS0 >/dev/ttyS0 2>&1'; sleep 0.2; done ) &
  echo "GUEST-SHELL"
fi
[ "$(arg infra.poweroff)" = 1 ] && poweroff -f
while true; do sleep 3600; done
