#!/bin/busybox sh
# A guest-agent stand-in: answers the few qemu-guest-agent commands the host uses, one JSON object
# per line, on the virtio-serial port given as $1. It keeps the freeze state so status follows
# freeze/thaw. guest-sync-delimited answers with the 0xFF sentinel first, like the real agent.
# virtio_console reads return EOF while no host side is connected: reopen and poll until one is.
state=thawed
while true; do
exec 3<>"$1"
while IFS= read -r line <&3; do
  id=$(echo "$line" | sed -n 's/.*"id" *: *\([0-9-]*\).*/\1/p')
  case "$line" in
    *'"guest-sync-delimited"'*) printf '\377{"return": %s}\n' "$id" >&3 ;;
    *'"guest-sync"'*) printf '{"return": %s}\n' "$id" >&3 ;;
    *'"guest-ping"'*) printf '{"return": {}}\n' >&3 ;;
    *'"guest-fsfreeze-freeze"'*)
      echo "GUEST-QGA-CALL guest-fsfreeze-freeze"
      if [ "$state" = frozen ]; then
        printf '{"error": {"class": "GenericError", "desc": "The command guest-fsfreeze-freeze has been disabled for this instance"}}\n' >&3
      else state=frozen; printf '{"return": 1}\n' >&3; fi ;;
    *'"guest-fsfreeze-thaw"'*)
      echo "GUEST-QGA-CALL guest-fsfreeze-thaw"
      if [ "$state" = frozen ]; then n=1; else n=0; fi
      state=thawed; printf '{"return": %s}\n' "$n" >&3 ;;
    *'"guest-fsfreeze-status"'*) printf '{"return": "%s"}\n' "$state" >&3 ;;
    *'"execute"'*) printf '{"error": {"class": "CommandNotFound", "desc": "command not found"}}\n' >&3 ;;
  esac
done
exec 3<&-
sleep 0.2
done
