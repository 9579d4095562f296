#!/usr/bin/env bash
# Builds infra-controller_<ver>_amd64.deb and infra-agent_<ver>_amd64.deb into $OUT (default out/packages).
# Self-contained publishes: the hosts need no .NET runtime.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=${VERSION:-0.1.0}
out=${OUT:-$top/out/packages}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

publish() { # project dir, dest
  dotnet publish "$top/$1" -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
    -p:DebugType=none -o "$2" -v q --nologo >/dev/null
}

pkg() { # name, depends, description, then staging via callback
  local name=$1 depends=$2 desc=$3 root=$work/$1
  mkdir -p "$root/DEBIAN"
  cat > "$root/DEBIAN/control" <<CTL
Package: $name
Version: $ver
Architecture: amd64
Maintainer: Infra developers <dev@infra.invalid>
Depends: $depends
Section: admin
Priority: optional
Description: $desc
CTL
  cat > "$root/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
if [ -f /usr/lib/sysusers.d/infra.conf ]; then
  systemd-sysusers infra.conf 2>/dev/null || getent passwd infra-qemu >/dev/null \
    || useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin infra-qemu
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POST
  chmod 755 "$root/DEBIAN/postinst"
  dpkg-deb --root-owner-group --build "$root" "$out/${name}_${ver}_amd64.deb" >/dev/null
  echo "$out/${name}_${ver}_amd64.deb"
}

r=$work/infra-controller
publish controller/Infra.Controller "$r/usr/lib/infra/controller"
publish controller/Infra.Ctl "$r/usr/lib/infra/infractl"
mkdir -p "$r/usr/bin" "$r/lib/systemd/system" "$r/etc/infra"
ln -s /usr/lib/infra/infractl/infractl "$r/usr/bin/infractl"
cp "$top/packaging/systemd/infra-controller.service" "$r/lib/systemd/system/"
cp "$top/packaging/config/controller.yaml" "$r/etc/infra/controller.yaml"
pkg infra-controller "libc6" "Infra SDN controller and infractl, the operator CLI"

r=$work/infra-agent
publish agent/Infra.Agent "$r/usr/lib/infra/agent"
mkdir -p "$r/lib/systemd/system" "$r/etc/infra"
cp "$top/packaging/systemd/infra-agent.service" "$top/packaging/systemd/infra-vms.slice" "$r/lib/systemd/system/"
mkdir -p "$r/usr/lib/sysusers.d" && cp "$top/packaging/sysusers/infra.conf" "$r/usr/lib/sysusers.d/"
cp "$top/packaging/config/agent.yaml" "$r/etc/infra/agent.yaml"
pkg infra-agent "openvswitch-switch, qemu-system-x86, qemu-utils, qemu-system-common" "Infra host agent: VMs under systemd, vhost-user-blk volumes, Open vSwitch tunnels"
