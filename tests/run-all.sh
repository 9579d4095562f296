#!/usr/bin/env bash
# Builds the solution once, then runs every test project and prints one closing line
# "N passed, N failed" over all of them. Light projects run two at a time; the suites that boot
# guests under TCG or push packets through several switches run alone, because on a 2-core machine
# a neighbour's CPU load stretches guest boots and hot-plug events past any sane bounded wait.
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet build Infra.sln -c Release -v q --nologo || { echo "build failed"; exit 1; }
mapfile -t projects < <(find tests -name '*.Tests.csproj' | sort)
results=$(mktemp -d)
run() {
  local p=$1 name; name=$(basename "$p" .csproj)
  local start=$SECONDS
  dotnet test "$p" -c Release --no-build -v q --nologo --logger "trx;LogFileName=$name.trx" \
    --results-directory "$results/trx" > "$results/$name.log" 2>&1
  local rc=$?
  # Guest-booting suites run once more when they fail: PCIe hot-plug into a TCG guest has been
  # seen to go unnoticed by the guest (a known flake, tracked in the issue notes). The first run's
  # failures stay in the log, marked, so a retry never hides what happened.
  if [ $rc != 0 ] && [[ "$name" =~ ^($solo)$ ]]; then
    echo "FLAKY-RETRY $name: first run failed; its log follows, then the second run" > "$results/$name.first"
    grep -E '\[FAIL\]|Failed!|Passed!' "$results/$name.log" >> "$results/$name.first"
    dotnet test "$p" -c Release --no-build -v q --nologo > "$results/$name.log" 2>&1
    rc=$?
    cat "$results/$name.first" "$results/$name.log" > "$results/$name.both" && mv "$results/$name.both" "$results/$name.log"
    echo "$name: RETRIED once after a failure (see FLAKY-RETRY in the log)"
  fi
  echo $rc > "$results/$name.rc"
  echo "$name: $(grep -E 'Passed!|Failed!' "$results/$name.log" | tail -1 | sed 's/^ *//') ($((SECONDS-start)) s)"
}
solo='Infra.Cloud.Demo.Tests|Infra.Agent.Vm.Tests|Infra.Sdn.EndToEnd.Tests|Infra.Agent.Tests|Infra.Qmp.Tests|Infra.Agent.Storage.Tests|Infra.Cloud.EndToEnd.Tests|Infra.Agent.Systemd.Tests|Infra.Images.Tests'
export -f run; export results solo
printf '%s\n' "${projects[@]}" | grep -vE "/($solo)\.csproj$" | xargs -P 2 -I{} bash -c 'run {}'
printf '%s\n' "${projects[@]}" | grep -E "/($solo)\.csproj$" | xargs -P 1 -I{} bash -c 'run {}'
passed=0; failed=0; bad=()
for p in "${projects[@]}"; do
  name=$(basename "$p" .csproj)
  line=$(grep -E 'Passed!|Failed!' "$results/$name.log" | tail -1)
  pa=$(sed -n 's/.*Passed: *\([0-9]*\).*/\1/p' <<<"$line"); fa=$(sed -n 's/.*Failed: *\([0-9]*\).*/\1/p' <<<"$line")
  passed=$((passed + ${pa:-0})); failed=$((failed + ${fa:-0}))
  if [ "$(cat "$results/$name.rc")" != 0 ]; then
    bad+=("$name"); [ -z "$line" ] && failed=$((failed + 1))
    echo "----- $name (exit $(cat "$results/$name.rc")) -----"; grep -vE '^\s*$' "$results/$name.log" | tail -60
  fi
done
echo
echo "$passed passed, $failed failed"
[ ${#bad[@]} -eq 0 ]
