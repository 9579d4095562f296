namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// The shell that sets up libvirt's private world, run under <c>unshare --mount --net</c>.
///
/// Why: on this machine /dev/kvm exists and is accessible, but qemu cannot use it (guests hang,
/// the capability probe's <c>accel=kvm:tcg</c> falls back to TCG). libvirt then finds "KVM usable"
/// and "the cached capabilities have no KVM" at every lookup, declares its capability cache stale
/// and re-probes qemu (about 5 s each, ~11 times per <c>virsh create</c>). On a host without a
/// usable KVM there is no /dev/kvm and nothing to re-probe, so libvirtd runs with a /dev that lacks
/// kvm: the entries of the real /dev bound one by one into a tmpfs moved over /dev.
///
/// Also private, so nothing of the host is changed or read back: libvirt's state, runtime, cache
/// and log directories (empty, bound from the benchmark's temp dir), and a copy of /etc/libvirt
/// without autostarted networks. The network namespace keeps libvirt's network drivers away from
/// the host's links and firewall (the domains have no NICs). The namespaces end with the last
/// process in them: libvirtd, the virtlogd it needs for qemu's stdio, and their qemus.
///
/// The shell stays as the parent of both daemons: when libvirtd ends it stops virtlogd, reaps
/// both and exits (a daemon left to this machine's PID 1 would stay a zombie).
///
/// $1: the private directory (holds libvirtd.conf; gets virtlogd.pid, libvirtd.pid).
/// </summary>
internal static class LibvirtSandbox
{
    public const string Script = """
        set -eu
        d=$1
        mount --make-rprivate /
        mkdir -p "$d/dev"
        mount -t tmpfs -o mode=755,size=64k infra-bench-dev "$d/dev"
        for e in /dev/* /dev/.[!.]*; do
          [ -e "$e" ] || [ -L "$e" ] || continue
          n=${e##*/}
          [ "$n" = kvm ] && continue
          if [ -L "$e" ]; then cp -P "$e" "$d/dev/$n"
          elif [ -d "$e" ]; then mkdir "$d/dev/$n"; mount --rbind "$e" "$d/dev/$n"
          else : > "$d/dev/$n"; mount --bind "$e" "$d/dev/$n"; fi
        done
        mount --move "$d/dev" /dev
        for s in run/libvirt var/lib/libvirt var/cache/libvirt var/log/libvirt; do
          mkdir -p "$d/$s" "/$s"
          mount --bind "$d/$s" "/$s"
        done
        mkdir -p "$d/etc"
        cp -a /etc/libvirt "$d/etc/"
        rm -rf "$d/etc/libvirt/qemu/networks/autostart"
        mount --bind "$d/etc/libvirt" /etc/libvirt
        ip link set lo up
        /usr/sbin/virtlogd -p "$d/virtlogd.pid" &
        logd=$!
        /usr/sbin/libvirtd -f "$d/libvirtd.conf" -p "$d/libvirtd.pid" &
        lv=$!
        rc=0
        wait $lv || rc=$?
        kill $logd 2>/dev/null || true
        wait $logd || true
        exit $rc
        """;
}
