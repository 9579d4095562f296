#!/usr/bin/env bash
# A sandbox for running `make cloud` as a user would, without touching this machine: its own network
# namespace (only loopback), PID namespace (its init is this script; killing it kills everything
# started inside) and mount namespace, in which
#   /etc, /var/lib, /usr/local/bin, /root   are overlays: the host's files show through, every change
#                                            lands in an upper directory in a private tmpfs
#   /run (hence /var/run)                    is a fresh tmpfs, as after a boot: no host OVS, no host sockets
# So `make cloud` finds the host's packages, SDK and NuGet cache, yet everything it writes (state in
# /var/lib/infra, tokens in /etc/infra, OVS's conf.db, the infractl link, ~/.config/infra) is private,
# and "purge left nothing behind" is checkable: the overlays' upper directories must be empty again.
# /tmp, the repository (out/, obj/) and /var/cache/infra-images are shared on purpose: build output
# and the image cache are meant to be reused.
#   sandbox.sh start DIR         start one (DIR: a new empty directory); prints the init's host PID
#   sandbox.sh exec DIR CMD...   run CMD inside (cwd kept)
#   sandbox.sh leftovers DIR     list what is left inside: processes besides init, files in the uppers
#   sandbox.sh stop DIR          kill everything inside (SIGKILL to its init)
set -euo pipefail
OVERLAID=(/etc /var/lib /usr/local/bin /root)
cmd=$1 dir=$(realpath "$2"); shift 2

init_pid() { cat "$dir/init.pid"; }

case "$cmd" in
  start)
    mkdir -p "$dir/fs"
    # --kill-child: if unshare dies, its child (the namespace's init) gets SIGKILL, and with it
    # every process in the PID namespace.
    setsid unshare --net --mount --pid --fork --mount-proc --propagation private --kill-child \
      bash "$0" hold "$dir" > "$dir/init.log" 2>&1 < /dev/null &
    echo $! > "$dir/unshare.pid"
    for _ in $(seq 100); do [ -f "$dir/ready" ] && break; sleep 0.1; done
    [ -f "$dir/ready" ] || { cat "$dir/init.log" >&2; echo "sandbox: did not start" >&2; exit 1; }
    child=$(cat "/proc/$(cat "$dir/unshare.pid")/task/$(cat "$dir/unshare.pid")/children" | awk '{print $1}')
    echo "$child" > "$dir/init.pid"; echo "$child" ;;
  hold)
    mount -t tmpfs -o mode=700 sandbox "$dir/fs"
    for d in "${OVERLAID[@]}"; do
      n=$(tr / _ <<<"$d"); mkdir -p "$dir/fs/upper$n" "$dir/fs/work$n"
      mount -t overlay overlay -o "lowerdir=$d,upperdir=$dir/fs/upper$n,workdir=$dir/fs/work$n" "$d"
    done
    mount -t tmpfs -o mode=755 run /run
    mkdir -p /run/lock && chmod 1777 /run/lock
    ip link set lo up
    touch "$dir/ready"
    # PID 1 of the namespace: reap whatever gets orphaned here.
    trap 'exit 0' TERM
    while :; do sleep 3600 & wait $! || true; done ;;
  exec)
    # --pid: the command joins the namespace's PID tree; --mount/--net: its view and its network.
    exec nsenter -t "$(init_pid)" --net --mount --pid --wd="$PWD" -- "$@" ;;
  leftovers)
    nsenter -t "$(init_pid)" --net --mount --pid -- bash -c '
      for p in /proc/[0-9]*; do pid=${p#/proc/}; [ "$pid" = 1 ] || [ "$pid" = $$ ] && continue
        c=$(tr "\0" " " < $p/cmdline 2>/dev/null); [ -n "$c" ] || continue
        case "$c" in "sleep 3600 "|"bash -c "*) continue;; esac; echo "process $pid: $c"; done
      cd '"$dir"'/fs && find upper_* -mindepth 1 \( -type d -printf "dir %p\n" -o -printf "file %p\n" \)
      ovs-vsctl --timeout=2 list-br 2>/dev/null | sed "s/^/bridge /"
      ip -o link show | grep -v " lo:" | sed "s/^/link /"
      for c in /sys/fs/cgroup/infra /sys/fs/cgroup/*/infra; do [ -d "$c" ] && echo "cgroup $c"; done; true' |
    # A directory in an upper that is also one on the host (the overlay's lower) was only copied up
    # because something was made and removed inside it: its entries are listed on their own.
    while read -r kind rest; do
      if [ "$kind" = dir ]; then
        u=${rest%%/*} path=${rest#*/}; lower=$(sed 's/^upper//; s/_/\//g' <<<"$u")/$path
        [ -d "$lower" ] && [ ! -L "$lower" ] && continue
        kind=file
      fi
      echo "$kind $rest"
    done ;;
  stop)
    [ -f "$dir/unshare.pid" ] && kill -9 "$(cat "$dir/unshare.pid")" 2>/dev/null || true
    [ -f "$dir/init.pid" ] && kill -9 "$(cat "$dir/init.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -d "/proc/$(cat "$dir/init.pid" 2>/dev/null || echo x)" ] || break; sleep 0.1; done ;;
  *) echo "usage: $0 start|exec|leftovers|stop DIR [CMD...]" >&2; exit 2 ;;
esac
