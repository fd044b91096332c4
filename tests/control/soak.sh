#!/usr/bin/env bash
# Memory over a long run (not in `make check`; docs/reliability.md has the
# figures): a real numaplaced on a copy of the engine-4node fixture (the
# control suite's ticker keeps its processes busy) at a 1 s interval for
# SECONDS (default 600), queried with status, list, show, history and
# metrics every 0.2 s, and its RSS and open descriptors printed every 30 s.
# Fails if RSS grew by more than 1 MiB from the first minute to the end.
# Run from the repo root after `make`, as root.
#   tests/control/soak.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
T=$(mktemp -d /tmp/np-soak.XXXXXX)
daemon_pid= ticker_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$ticker_pid" ] && kill "$ticker_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
cc -O2 -Wall -o "$T/ctltool" tests/control/ctltool.c || exit 1
cp -a tests/fixtures/engine-4node "$T/root"
SOCK=$T/numaplaced.sock
cat >"$T/conf" <<CONF
candidates = { min_rss_mb = 128; };
planner = { max_moves_per_cycle = 8; cooldown = 0.0; };
control = { socket = "$SOCK"; };
CONF
"$T/ctltool" tick "$T/root" $((secs + 30)) &
ticker_pid=$!
./daemon/numaplaced -f --sysroot "$T/root" -c "$T/conf" -i 1 2>"$T/daemon.log" &
daemon_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
CTL=(./daemon/numaplacectl --socket "$SOCK")
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$daemon_pid"/status; }
fds() { ls /proc/"$daemon_pid"/fd | wc -l; }
start=$SECONDS queries=0 failed=0 rss_minute=
next_report=$SECONDS
while [ $((SECONDS - start)) -lt "$secs" ]; do
    for verb in status list "show 1002" history metrics; do
        "${CTL[@]}" $verb >/dev/null 2>&1 || failed=$((failed + 1))
        queries=$((queries + 1))
    done
    sleep 0.2
    if [ "$SECONDS" -ge "$next_report" ]; then
        echo "t=$((SECONDS - start)) s: RSS $(rss) kB, fds $(fds), $queries queries ($failed failed)"
        next_report=$((SECONDS + 30))
    fi
    [ -z "$rss_minute" ] && [ $((SECONDS - start)) -ge 60 ] && rss_minute=$(rss)
done
cycles=$("${CTL[@]}" --json status | sed -n 's/.*"cycles":\([0-9]*\).*/\1/p')
end_rss=$(rss)
echo "soak: $secs s, $cycles cycles, $queries queries ($failed failed), RSS ${rss_minute:-?} kB at 60 s -> $end_rss kB at the end, fds $(fds)"
kill -0 "$daemon_pid" || { echo "soak: the daemon died"; exit 1; }
[ "$failed" -eq 0 ] && [ -n "$rss_minute" ] && [ "$end_rss" -le $((rss_minute + 1024)) ]
