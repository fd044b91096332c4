#!/usr/bin/env bash
# Integration tests of the control socket: a real numaplaced on a copy of
# the engine-4node fixture (whose processes a ticker keeps busy), every verb
# through numaplacectl in human and --json form, authorization by peer
# credentials and group, and hostile clients (malformed JSON, a 10 MB line,
# 1,000 idle connections, a client that never reads) after each of which
# status must still answer promptly and cycles must go on.
# Run from the repo root after `make`, as root (skipped otherwise).
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" -ne 0 ]; then
    echo "control: skipped (needs root: throwaway user/group and peer credentials)"
    exit 0
fi

pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'; fail=$((fail + 1)); }

T=$(mktemp -d /tmp/np-control.XXXXXX)
chmod 755 "$T"              # the test user must reach $T/run (0750 root:group)
SOCK=$T/run/numaplaced.sock
CTL=(./daemon/numaplacectl --socket "$SOCK")
TESTGROUP=npctlgrp
TESTUSER=npctluser
created_group=0 created_user=0
daemon_pid= ticker_pid=

cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    [ -n "$ticker_pid" ] && kill "$ticker_pid" 2>/dev/null && wait "$ticker_pid" 2>/dev/null
    [ $created_user = 1 ] && userdel "$TESTUSER" 2>/dev/null
    [ $created_group = 1 ] && groupdel "$TESTGROUP" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

if ! getent group "$TESTGROUP" >/dev/null; then
    groupadd -r "$TESTGROUP" && created_group=1
fi
if ! id "$TESTUSER" >/dev/null 2>&1; then
    useradd -r -M -s /usr/sbin/nologin "$TESTUSER" && created_user=1
fi
gpasswd -d "$TESTUSER" "$TESTGROUP" >/dev/null 2>&1 || true

cc -O2 -Wall -o "$T/ctltool" tests/control/ctltool.c || { echo "control: cannot build ctltool"; exit 1; }
cp -a tests/fixtures/engine-4node "$T/root"
cat > "$T/conf" <<EOF
candidates = { min_rss_mb = 128; };
planner = { max_moves_per_cycle = 8; cooldown = 0.0; };
exclude = { names = [ "keepme" ]; };
control = { socket = "$SOCK"; group = "$TESTGROUP"; };
EOF
cp "$T/conf" "$T/conf.good"

# Busy processes: their CPU ticks advance at their lifetime average rate.
# The ticker stands in for the kernel's accounting, which is never late: a
# real-time priority keeps a loaded machine from stalling it, or one cycle
# window sees a catch-up burst as double the CPU use (a CI run once found
# every fixture candidate "keep: no-room"). Without the privilege it runs
# as before.
ticker=("$T/ctltool" tick "$T/root" 120)
chrt -f 1 true 2>/dev/null && ticker=(chrt -f 1 "${ticker[@]}")
"${ticker[@]}" &
ticker_pid=$!
sleep 0.3

MPORT=$((20000 + RANDOM % 20000))
./daemon/numaplaced -f -v --sysroot "$T/root" -c "$T/conf" -i 1 --metrics-port $MPORT 2>"$T/daemon.log" &
daemon_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
if [ ! -S "$SOCK" ]; then
    echo "control: the daemon did not create $SOCK"; cat "$T/daemon.log"; exit 1
fi
# A second daemon on the same tree, started --paused, on its own socket.
sed "s|socket = \"$SOCK\"|socket = \"$T/paused.sock\"|" "$T/conf" >"$T/conf.paused"
./daemon/numaplaced -f --paused --sysroot "$T/root" -c "$T/conf.paused" -i 1 2>"$T/paused.log" &
paused_pid=$!
sleep 2.2   # a few cycles, so list shows steady-state decisions

# run NAME EXPECTED_RC REGEX CMD...: CMD's exit code and combined output.
run() {
    local name=$1 want_rc=$2 regex=$3; shift 3
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name" "exit $rc, wanted $want_rc" "$out"
    elif [ -n "$regex" ] && ! grep -Eq -- "$regex" <<<"$out"; then
        bad "$name" "output lacks /$regex/" "$out"
    else
        ok "$name"
    fi
}
# Two rescans 0.4 s apart: rescan restarts the interval timer, so the
# second one measures CPU use over a known 0.4 s window.
fresh_rescan() { "${CTL[@]}" rescan >/dev/null; sleep 0.4; "${CTL[@]}" rescan >/dev/null; }
json_num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" | head -1; }
cycles() { "${CTL[@]}" --json status 2>/dev/null | json_num cycles; }
# prompt NAME: status answers within 1 s.
prompt() {
    local t0 t1 out rc
    t0=$(date +%s%N)
    out=$("${CTL[@]}" status 2>&1); rc=$?
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    if [ $rc -eq 0 ] && [ $ms -lt 1000 ]; then ok "$1 (status in $ms ms)"; else bad "$1" "rc $rc in $ms ms" "$out"; fi
}

# --- started --paused: plans from the first cycle, applies nothing until
# resumed, and the resume applies at once (a cycle in the reply) ---
PCTL=(./daemon/numaplacectl --socket "$T/paused.sock")
run "--paused: status says paused" 0 "mode paused" "${PCTL[@]}" status
run "--paused: list plans 1002's move" 0 "1002 +memhog-b .* candidate +move -> 2" "${PCTL[@]}" list
run "--paused: nothing applied" 0 "no actions yet" "${PCTL[@]}" history
run "--paused: resume runs a cycle" 0 '"cycle":\{' "${PCTL[@]}" --json resume
run "--paused: the resume's cycle applied it" 0 "1002 +memhog-b +0-1 +2 " "${PCTL[@]}" history
kill "$paused_pid"; wait "$paused_pid" 2>/dev/null
grep -q "placement paused until resumed" "$T/paused.log" && ok "--paused: the start is logged as paused" ||
    bad "--paused: start log" "$(head -5 "$T/paused.log")"

# --- every verb, human and JSON ---
run "status" 0 "mode active, interval 1.0 s" "${CTL[@]}" status
run "status shows nodes" 0 "^3 +6-7 +4.0 GiB +150.0 MiB" "${CTL[@]}" status
run "status --json" 0 '"mode":"active"' "${CTL[@]}" --json status
run "status --json nodes" 0 '"mem_total_mib":4096' "${CTL[@]}" --json status
# Ratios, times and rates carry at most 4 decimals (no 3.0219676750002691).
for verb in status list "show 1002" history; do
    out=$("${CTL[@]}" --json $verb 2>&1)
    long=$(grep -Eo '[0-9]+\.[0-9]{5,}' <<<"$out" | head -3 | tr '\n' ' ')
    nums=$(grep -Eo ':-?[0-9]+\.[0-9]+' <<<"$out" | wc -l)
    if [ -z "$long" ] && [ "$nums" -gt 0 ]; then ok "--json $verb: $nums decimals, none longer than 4 places"
    else bad "--json $verb: tidy numbers" "long: ${long:-none}, decimals: $nums"; fi
done
run "list: 1002 memhog-b moves to node 2" 0 "1002 +memhog-b .* candidate +move -> 2" "${CTL[@]}" list
run "list: 1007 keepme excluded by name" 0 "1007 +keepme .* excluded +excluded-name" "${CTL[@]}" list
run "list: 1005 pinned" 0 "1005 +tasksetted .* pinned +pinned-cpus" "${CTL[@]}" list
run "top --once: one frame" 0 "1002 memhog-b" "${CTL[@]}" top --once
run "list --limit 1" 0 "\(1 of [0-9]+ shown\)" "${CTL[@]}" list --limit 1
run "list --json" 0 '"reason":"move"' "${CTL[@]}" --json list
run "show 1002" 0 "decision: move to nodes 2" "${CTL[@]}" show 1002
run "show 1002 why" 0 "why: node 2: holds 0% of its memory" "${CTL[@]}" show 1002
run "show 1002 --json" 0 '"target":"2"' "${CTL[@]}" --json show 1002
run "show 1007 reason" 0 "reason: excluded-name" "${CTL[@]}" show 1007
run "show unknown pid" 1 "not seen in the last cycle" "${CTL[@]}" show 4000000
run "history" 0 "1002 +memhog-b +0-1 +2 " "${CTL[@]}" history
run "history --pid --json" 0 '"comm":"memhog-b"' "${CTL[@]}" --json history --pid 1002 --limit 2
run "advise 1:100 prints a node list" 0 "^[0-9]+([-,][0-9]+)*$" "${CTL[@]}" advise 1:100
out=$("${CTL[@]}" advise 4:2048); [ "$(wc -l <<<"$out")" = 1 ] && ok "advise 4:2048 is one line ($out)" || bad "advise one line" "$out"
run "advise --json" 0 '"fit":"(fits|memory-only|all-nodes)"' "${CTL[@]}" --json advise 2
run "advise bad grammar" 2 "NCPUS" "${CTL[@]}" advise 4:x
run "metrics" 0 "^numaplace_cycles_total [0-9]+" "${CTL[@]}" metrics
out=$("${CTL[@]}" metrics | tail -1); [ "$out" = "# EOF" ] && ok "metrics ends with # EOF" || bad "metrics EOF" "$out"
run "metrics skipped by reason" 0 'numaplace_skipped_processes\{reason="pinned-cpus"\} 1' "${CTL[@]}" metrics
run "metrics skipped, zero series too" 0 'numaplace_skipped_processes\{reason="libvirt-pinned"\} 0' "${CTL[@]}" metrics
run "metrics node memory" 0 'numaplace_node_memory_free_bytes\{node="3"\} 157286400' "${CTL[@]}" metrics
http_get() {
    exec 3<>"/dev/tcp/127.0.0.1/$MPORT" || return 1
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
    timeout 5 cat <&3
    exec 3<&-
}
if grep -q "cannot listen on 127.0.0.1:$MPORT" "$T/daemon.log"; then
    echo "SKIP http /metrics (port $MPORT busy)"
else
    run "http GET /metrics" 0 "^numaplace_moves_total [0-9]+" http_get /metrics
    run "http content type" 0 "Content-Type: application/openmetrics-text" http_get /metrics
    run "http other path is 404" 0 "HTTP/1.[01] 404" http_get /other
fi

# --- steering ---
run "exclude name memhog-*" 0 "excluded name 'memhog-\*'" "${CTL[@]}" exclude name 'memhog-*'
run "exclude twice" 1 "already excluded" "${CTL[@]}" exclude name 'memhog-*'
run "rescan" 0 "cycle done" "${CTL[@]}" rescan
fresh_rescan
run "list shows runtime-excluded" 0 "1002 +memhog-b .* excluded +runtime-excluded" "${CTL[@]}" list
run "status lists runtime exclusions" 0 "runtime exclusions: name 'memhog-\*'" "${CTL[@]}" status
run "move refused when excluded" 1 "runtime-excluded" "${CTL[@]}" move 1002 2
run "include name" 0 "included again" "${CTL[@]}" include name 'memhog-*'
run "include unknown" 1 "not a runtime exclusion" "${CTL[@]}" include name 'nothere'
run "exclude pid" 0 "excluded pid 1003" "${CTL[@]}" exclude pid 1003
run "pause" 0 "placement paused" "${CTL[@]}" pause
run "status says paused" 0 "mode paused" "${CTL[@]}" status
run "status --json paused" 0 '"paused":true' "${CTL[@]}" --json status
run "move refused while paused" 1 "paused" "${CTL[@]}" move 1002 2
run "resume runs a cycle at once" 0 '"cycle":\{' "${CTL[@]}" --json resume
run "resume when not paused" 0 "placement resumed \(no change\); mode active" "${CTL[@]}" resume
out=$("${CTL[@]}" --json resume 2>&1)
if grep -q '"changed":false' <<<"$out" && ! grep -q '"cycle"' <<<"$out"; then
    ok "resume when not paused runs no cycle"
else
    bad "resume when not paused runs no cycle" "$out"
fi
run "move 1002 2" 0 "pid 1002 \(memhog-b\): nodes .* -> 2" "${CTL[@]}" move 1002 2
run "move --json" 0 '"to":"1"' "${CTL[@]}" --json move 1001 1
run "move excluded-name" 1 "excluded-name" "${CTL[@]}" move 1007 1
run "move to an unknown node" 2 "node 9 is not online" "${CTL[@]}" move 1002 9
run "move unknown pid" 1 "no such process" "${CTL[@]}" move 3999999 0
run "cancel without a move in flight" 1 "no memory move in flight" "${CTL[@]}" cancel 1002
run "cancel needs a PID" 2 "cancel needs PID \(usage: cancel PID\)" "${CTL[@]}" cancel
run "metrics moves in flight" 0 '^numaplace_moves_in_flight 0' "${CTL[@]}" metrics
run "status lists no moves in flight" 0 "moves in flight: none" "${CTL[@]}" status
run "dry-run on" 0 "dry-run on; mode dry-run" "${CTL[@]}" dry-run on
run "status says dry-run" 0 '"mode":"dry-run"' "${CTL[@]}" --json status
run "dry-run off" 0 "dry-run off; mode active" "${CTL[@]}" dry-run off
run "dry-run bad word" 2 "on' or 'off" "${CTL[@]}" dry-run maybe
run "reload" 0 "configuration reloaded" "${CTL[@]}" reload
echo 'bogus_key = 1;' >> "$T/conf"
run "reload with a bad file gives file:line" 1 "conf:[0-9]+" "${CTL[@]}" reload
sed 's/cooldown = 0.0/cooldown = 300.0/' "$T/conf.good" > "$T/conf"
run "reload with a cooldown" 0 "configuration reloaded" "${CTL[@]}" reload
# A cooldown starts at a move, so move it now: whether the next cycle would
# plan it again on its own depends on CPU use measured under the machine's
# load (a loaded CI run saw "no-room").
run "move under a cooldown" 0 "pid 1002 \(memhog-b\): nodes .* -> 2" "${CTL[@]}" move 1002 2
"${CTL[@]}" rescan >/dev/null
run "list shows cooling-down" 0 "1002 +memhog-b .* cooling-down +keep: cooldown" "${CTL[@]}" list
cp "$T/conf.good" "$T/conf"
run "reload back" 0 "configuration reloaded" "${CTL[@]}" reload
run "runtime exclusion survives reload" 0 "runtime exclusions: pid 1003" "${CTL[@]}" status
run "include pid" 0 "included again pid 1003" "${CTL[@]}" include pid 1003

# --- client side errors ---
run "unknown verb" 2 "unknown verb" "${CTL[@]}" frobnicate
run "show needs a number" 2 "PID" "${CTL[@]}" show abc
run "not running" 3 "not running" ./daemon/numaplacectl --socket "$T/nope.sock" status
run "help lists exit codes" 0 "4 permission denied" ./daemon/numaplacectl --help

# --- authorization ---
as_user() { setpriv --reuid="$TESTUSER" --regid="$TESTUSER" --clear-groups "$@"; }
as_member() { setpriv --reuid="$TESTUSER" --regid="$TESTUSER" --init-groups "$@"; }
run "non-member cannot connect" 4 "permission denied" as_user "${CTL[@]}" status
run "non-member cannot list" 4 "permission denied" as_user "${CTL[@]}" list
# Past the file modes, the daemon's own peer-credential check refuses too.
chmod 0755 "$T/run"; chmod 0666 "$SOCK"
run "non-member refused by peer credentials" 4 "permission denied: 'status' needs root or membership in group '$TESTGROUP'" as_user "${CTL[@]}" status
chmod 0750 "$T/run"; chmod 0660 "$SOCK"
usermod -a -G "$TESTGROUP" "$TESTUSER"
run "member: status" 0 "mode active" as_member "${CTL[@]}" status
run "member: list" 0 "memhog-b" as_member "${CTL[@]}" list
run "member: advise" 0 "^[0-9]" as_member "${CTL[@]}" advise 1
run "member: pause refused" 4 "permission denied: 'pause' needs root" as_member "${CTL[@]}" pause
run "member: exclude refused" 4 "needs root" as_member "${CTL[@]}" exclude pid 1
run "member: rescan refused" 4 "needs root" as_member "${CTL[@]}" rescan
run "still active after refusals" 0 "mode active" "${CTL[@]}" status
perms=$(stat -c '%a %G' "$SOCK"); [ "$perms" = "660 $TESTGROUP" ] && ok "socket is 0660 root:$TESTGROUP" || bad "socket mode" "$perms"
perms=$(stat -c '%a %G' "$T/run"); [ "$perms" = "750 $TESTGROUP" ] && ok "socket dir is 0750 root:$TESTGROUP" || bad "dir mode" "$perms"

# --- the live view under tmux: keys and what the screen shows ---
top_once=$("${CTL[@]}" top --once 2>&1)
if grep -q $'\033' <<<"$top_once"; then bad "top --once prints no escapes" "$(head -5 <<<"$top_once" | cat -v)"; else ok "top --once prints no escapes"; fi
for want in "^NODE +CPUS +LOAD" "^3 +6-7 .* 150M/4.0G" "MOVES IN FLIGHT" "sorted by rank"; do
    grep -Eq -- "$want" <<<"$top_once" && ok "top --once shows /$want/" || bad "top --once lacks /$want/" "$top_once"
done
run "top --once as a group member" 0 "memhog-b" as_member "${CTL[@]}" top --once
run "top needs a terminal" 2 "needs a terminal" "${CTL[@]}" top </dev/null
if command -v tmux >/dev/null; then
    TMUX_SOCK=np-control-$$
    tm() { tmux -L "$TMUX_SOCK" "$@"; }
    screen() { tm capture-pane -p -t top 2>/dev/null; }
    # wait_screen REGEX: up to 5 s for the pane to show it.
    wait_screen() { for _ in $(seq 50); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done; return 1; }
    tm new-session -d -s top -x 150 -y 40 "${CTL[*]} top --delay 0.5"
    if wait_screen "memhog-b"; then ok "top under tmux: the ranked processes"; else bad "top under tmux" "$(screen)"; fi
    wait_screen "^NODE +CPUS" && wait_screen "MOVES IN FLIGHT" && ok "top under tmux: nodes and moves" || bad "top: nodes" "$(screen)"
    [ "$(screen | wc -l)" -le 40 ] && ok "top fits the 40-line pane" || bad "top fits the pane" "$(screen | wc -l) lines"
    tm send-keys -t top s
    wait_screen "sorted by remote" && ok "top: s sorts by remote" || bad "top: s" "$(screen)"
    tm send-keys -t top p
    wait_screen "paused: cycles plan" &&
        "${CTL[@]}" status | grep -q "mode paused" && ok "top: p pauses the daemon" || bad "top: p" "$(screen)" "$("${CTL[@]}" status | head -3)"
    tm send-keys -t top p
    wait_screen "resumed" && "${CTL[@]}" status | grep -q "mode active" && ok "top: p again resumes" || bad "top: p again" "$(screen)"
    tm send-keys -t top q
    gone=0; for _ in $(seq 30); do tm has-session -t top 2>/dev/null || { gone=1; break; }; sleep 0.1; done
    [ $gone = 1 ] && ok "top: q quits" || bad "top: q" "$(screen)"
    # A group member sees the view, and p is refused with the reason.
    tm new-session -d -s top -x 150 -y 40 "setpriv --reuid=$TESTUSER --regid=$TESTUSER --init-groups ${CTL[*]} top --delay 0.5"
    wait_screen "memhog-b" && tm send-keys -t top p && wait_screen "permission denied: 'pause' needs root" &&
        "${CTL[@]}" status | grep -q "mode active" && ok "top as a member: p refused, shown" || bad "top as member" "$(screen)"
    tm kill-server 2>/dev/null
else
    echo "skip top under tmux (tmux not installed)"
fi

# --- hostile clients ---
raw() { "$T/ctltool" raw "$SOCK" "$1"; }
run "malformed JSON" 0 '"code":"bad-json"' raw '{"version":1,"verb":'
run "wrong version" 0 '"code":"unsupported-version"' raw '{"version":2,"verb":"status"}'
run "unknown verb (raw)" 0 '"code":"unknown-verb"' raw '{"version":1,"verb":"nope"}'
run "mistyped argument" 0 '"code":"bad-arguments"' raw '{"version":1,"verb":"show","args":{"pid":"1002"}}'
run "unknown argument" 0 '"code":"bad-arguments"' raw '{"version":1,"verb":"status","args":{"x":1}}'
run "invalid UTF-8" 0 '"code":"bad-json"' raw $'{"version":1,"verb":"st\xffus"}'
run "not an object" 0 '"code":"bad-request"' raw '[1,2,3]'
prompt "status after malformed requests"
run "10 MB line" 0 '"code":"too-large"' "$T/ctltool" bigline "$SOCK" 10000000
prompt "status after a 10 MB line"

c0=$(cycles)
daemon_fds() { ls /proc/"$daemon_pid"/fd 2>/dev/null | wc -l; }
fds0=$(daemon_fds)
# 1,000 clients connect at once and stay (the daemon holds 64, refuses the rest).
(ulimit -n 4096; exec "$T/ctltool" idle "$SOCK" 1000 4) > "$T/idle.out" &
idle_pid=$!
sleep 1.5   # the 64 held connections are now idle for over a second
prompt "status with 1000 idle connections open"
fds1=$(daemon_fds)
run "a member's pause refused under load" 4 "needs root" as_member "${CTL[@]}" pause
wait $idle_pid
idle=$(cat "$T/idle.out")
refused=$(sed -n 's/.*refused \([0-9]*\).*/\1/p' <<<"$idle")
if [ -n "$refused" ] && [ "$refused" -ge 930 ]; then ok "extras refused cleanly ($idle)"; else bad "idle refusals" "$idle"; fi
prompt "status after the idle connections"
sleep 0.3
fds2=$(daemon_fds)
# At most the 64 clients (and the one asking) beyond the baseline, and back to it.
if [ "$fds1" -le $((fds0 + 66)) ] && [ "$fds2" -le $((fds0 + 1)) ]; then
    ok "daemon fds: $fds0 before, $fds1 with 1000 clients, $fds2 after"
else
    bad "daemon fds" "$fds0 before, $fds1 with 1000 clients, $fds2 after"
fi

# 100 clients each send half a request line and hold it (slowloris): the
# 64 held ones must not lock the admin out either.
(ulimit -n 4096; exec "$T/ctltool" idle "$SOCK" 100 3 partial) > "$T/partial.out" &
partial_pid=$!
sleep 1.5
prompt "status with 100 half-sent requests held"
wait $partial_pid
echo "    half-sent: $(cat "$T/partial.out")"

t0=$(date +%s%N)
run "client that never reads is dropped" 0 "dropped yes" "$T/ctltool" flood "$SOCK" 300000
echo "    (flood took $((($(date +%s%N) - t0) / 1000000)) ms)"
prompt "status after the flood"
run "status counts the dropped client" 0 '"dropped_clients":[1-9]' "${CTL[@]}" --json status

run "clients that hang up before reading" 0 "hung up 200 of 200" "$T/ctltool" hangup "$SOCK" 200
# The daemon closes those connections as it reads their ends; until then
# they count against its 64 clients (a clean-clone CI run under ASan asked
# after 0.3 s and was told "too many clients"). Wait up to 5 s for its
# descriptors to be back to the baseline, then ask as before.
sleep 0.3
for _ in $(seq 47); do [ "$(daemon_fds)" -le $((fds0 + 1)) ] && break; sleep 0.1; done
prompt "status after the hang-ups"

c1=$(cycles)
sleep 3
c2=$(cycles)
if [ -n "$c0" ] && [ -n "$c2" ] && [ $((c2 - c1)) -ge 2 ] && [ $((c2 - c1)) -le 5 ] && [ $((c1 - c0)) -ge 4 ]; then
    ok "cycles go on at the interval ($c0 -> $c1 during the hostile clients, $c1 -> $c2 in 3 s)"
else
    bad "cycles" "c0=$c0 c1=$c1 c2=$c2"
fi

# --- 1,000 hostile clients at once while cycles run ---
# 750 from root (slow readers of `list`, half-open and half-closed
# connections, 80 KiB lines, malformed JSON) and 250 from a group member
# sending every mutating verb, each reconnecting as soon as its connection
# ends, for STORM_S seconds. Measured: the cycle period (status's
# uptime_s - last_cycle.age_s at both ends, over the cycles between), the
# daemon's RSS and open descriptors, its log lines; nothing a member asked
# may have taken effect.
STORM_S=12
cycle_mark() {   # "CYCLES LAST_CYCLE_AT"
    local j up age n
    j=$("${CTL[@]}" --json status 2>/dev/null)
    up=$(json_num uptime_s <<<"$j"); age=$(json_num age_s <<<"$j"); n=$(json_num cycles <<<"$j")
    awk -v n="$n" -v u="$up" -v a="$age" 'BEGIN { printf "%d %.4f\n", n, u - a }'
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$daemon_pid"/status; }
fds0=$(daemon_fds); rss0=$(rss_kb); log0=$(wc -l <"$T/daemon.log")
read -r sc0 st0 <<<"$(cycle_mark)"
(ulimit -n 4096; exec "$T/ctltool" storm "$SOCK" 750 $STORM_S mixed) >"$T/storm-root.out" 2>&1 &
storm_root=$!
(ulimit -n 4096; exec setpriv --reuid="$TESTUSER" --regid="$TESTUSER" --init-groups \
    "$T/ctltool" storm "$SOCK" 250 $STORM_S mutate) >"$T/storm-member.out" 2>&1 &
storm_member=$!
rss_peak=$rss0 fds_peak=$fds0
for _ in $(seq $((STORM_S * 4))); do
    r=$(rss_kb); f=$(daemon_fds)
    [ -n "$r" ] && [ "$r" -gt "$rss_peak" ] && rss_peak=$r
    [ "$f" -gt "$fds_peak" ] && fds_peak=$f
    sleep 0.25
done
wait $storm_root $storm_member
sleep 1.2   # a cycle after the storm, and the last connections closed
read -r sc1 st1 <<<"$(cycle_mark)"
fds1=$(daemon_fds); rss1=$(rss_kb); log1=$(wc -l <"$T/daemon.log")
root_out=$(cat "$T/storm-root.out"); member_out=$(cat "$T/storm-member.out")
echo "    $root_out"
echo "    $member_out"
period=$(awk -v a="$st0" -v b="$st1" -v n0="$sc0" -v n1="$sc1" 'BEGIN { if (n1 > n0) printf "%.3f", (b - a) / (n1 - n0); else print "none" }')
echo "    cycles $sc0 -> $sc1, mean period $period s (interval 1 s); RSS $rss0 -> peak $rss_peak -> $rss1 kB;" \
     "fds $fds0 -> peak $fds_peak -> $fds1; $((log1 - log0)) log lines"
if [ "$period" != none ] && awk -v p="$period" 'BEGIN { exit !(p >= 0.9 && p <= 1.1) }'; then
    ok "storm: cycles kept the 1 s interval within 10% (mean $period s over $((sc1 - sc0)) cycles)"
else
    bad "storm: cycle period" "$period s over cycles $sc0 -> $sc1"
fi
accepted=$(sed -n 's/.*mutating-accepted \([0-9]*\).*/\1/p' <<<"$member_out")
denied=$(sed -n 's/.*permission-refused \([0-9]*\).*/\1/p' <<<"$member_out")
if [ "$accepted" = 0 ] && [ "${denied:-0}" -gt 0 ]; then
    ok "storm: no mutating verb accepted from a member ($denied refused)"
else
    bad "storm: member mutations" "$member_out"
fi
state=$("${CTL[@]}" status 2>&1)
if grep -q "mode active" <<<"$state" && grep -q "runtime exclusions: none" <<<"$state"; then
    ok "storm: the daemon's mode and exclusions are as before"
else
    bad "storm: state changed" "$state"
fi
replies=$(sed -n 's/.*replies \([0-9]*\).*/\1/p' <<<"$root_out")
[ "${replies:-0}" -gt 0 ] && ok "storm: root clients answered ($replies replies)" || bad "storm: no replies" "$root_out"
[ "$fds1" -le $((fds0 + 1)) ] && ok "storm: descriptors back to the baseline ($fds0 -> $fds1)" ||
    bad "storm: descriptors" "$fds0 before, $fds1 after"
# Bounded: at most CONTROL_MAX_CLIENTS clients, each with at most 64 KiB
# of request and 4 MiB of unread replies; in practice far less. Not judged
# for an AddressSanitizer build (make check-asan): its RSS is the freed
# memory ASan holds in quarantine (265 -> 429 MB seen), which the plain
# build's run of this suite measures without.
if [ -n "${ASAN_OPTIONS:-}" ] || ldd ./daemon/numaplaced 2>/dev/null | grep -q libasan; then
    echo "    storm: memory not judged under AddressSanitizer (RSS $rss0 -> peak $rss_peak -> $rss1 kB)"
elif [ "$rss_peak" -le $((rss0 + 64 * 1024)) ] && [ "$rss1" -le $((rss0 + 16 * 1024)) ]; then
    ok "storm: memory bounded (RSS $rss0 -> peak $rss_peak -> $rss1 kB)"
else
    bad "storm: memory" "RSS $rss0 -> peak $rss_peak -> $rss1 kB"
fi
storm_log=$(sed -n "$((log0 + 1)),${log1}p" "$T/daemon.log")
refusal_lines=$(grep -c "refused: permission denied" <<<"$storm_log")
# CONTROL_CLIENT_LINES (20) a 10 s window: the storm spans at most 3 windows.
if [ "$refusal_lines" -le 60 ] && grep -q "more refusals or drops were not logged" <<<"$storm_log"; then
    ok "storm: refusals logged $refusal_lines times for $denied, the rest counted"
else
    bad "storm: refusal log lines" "$refusal_lines lines for $denied refusals" "$(grep -m3 "not logged" <<<"$storm_log")"
fi
prompt "status after the storm"

# --- a second daemon on the same socket must refuse to start ---
if timeout 5 ./daemon/numaplaced -f --sysroot "$T/root" -c "$T/conf" -i 1 2>"$T/second.log"; then
    bad "second instance refused" "$(cat "$T/second.log")"
else
    grep -q "another numaplaced answers" "$T/second.log" && ok "second instance refuses to start" ||
        bad "second instance message" "$(cat "$T/second.log")"
fi

if ! kill -0 "$daemon_pid" 2>/dev/null; then
    bad "daemon still running" "$(tail -20 "$T/daemon.log")"
fi
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
[ ! -e "$SOCK" ] && ok "socket removed at exit" || bad "socket removed at exit"

# A stale socket (daemon killed) is replaced at the next start.
./daemon/numaplaced -f --sysroot "$T/root" -c "$T/conf" -i 1 2>"$T/daemon2.log" &
daemon_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
./daemon/numaplaced -f --sysroot "$T/root" -c "$T/conf" -i 1 2>"$T/daemon3.log" &
daemon_pid=$!
for _ in $(seq 50); do "${CTL[@]}" status >/dev/null 2>&1 && break; sleep 0.1; done
run "stale socket replaced" 0 "mode active" "${CTL[@]}" status

# --- structured journal: the daemon's events as the journal receives them ---
# A private /run (mount namespace) holds a fake journal socket, so
# sd_journal_sendv's datagrams land in a listener that prints their fields.
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
journal_out=$T/journal.out
if ! cc -O2 -Wall -o "$T/listener" tests/service/notify_listener.c; then
    bad "journal: cannot build the listener"
elif ! unshare -m true 2>/dev/null; then
    echo "skip journal fields (no mount namespaces here)"
else
    rm -f "$T/journal.pid"
    unshare -m sh -c '
        mount -t tmpfs np-journal /run && mkdir -p /run/systemd/journal || exit 1
        "$1" /run/systemd/journal/socket 60 > "$2" & listener=$!
        for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
        JOURNAL_STREAM=0:0 ./daemon/numaplaced -f --sysroot "$3" -c "$4" -i 1 2>"$5" & echo $! > "$6"
        wait $!; kill $listener' sh "$T/listener" "$journal_out" "$T/root" "$T/conf" "$T/journal.log" "$T/journal.pid" &
    journal_sh=$!
    for _ in $(seq 50); do "${CTL[@]}" status >/dev/null 2>&1 && break; sleep 0.1; done
    "${CTL[@]}" move 1002 2 >/dev/null 2>&1
    "${CTL[@]}" move 1007 1 >/dev/null 2>&1
    as_member "${CTL[@]}" pause >/dev/null 2>&1
    sleep 0.3
    [ -s "$T/journal.pid" ] && kill "$(cat "$T/journal.pid")"
    wait "$journal_sh"
    # One datagram's fields are consecutive lines; MESSAGE= starts each.
    event() { awk -v want="$1" '/^MESSAGE=/ { if (rec ~ want) print rec; rec = "" } { rec = rec $0 " " } END { if (rec ~ want) print rec }' "$journal_out"; }
    moved=$(event "NUMAPLACE_EVENT=moved")
    if grep -q "MESSAGE_ID=218bf87725054c5d831ca79650176241" <<<"$moved" && grep -q "NUMAPLACE_PID=1002 " <<<"$moved" &&
        grep -q "NUMAPLACE_COMM=memhog-b " <<<"$moved" && grep -q "NUMAPLACE_TO=2 " <<<"$moved" &&
        grep -Eq "NUMAPLACE_BYTES=[0-9]+ " <<<"$moved" && grep -Eq "NUMAPLACE_DURATION_MS=[0-9]+ " <<<"$moved" &&
        grep -q "PRIORITY=6 " <<<"$moved"; then
        ok "journal: the manual move carries MESSAGE_ID, NUMAPLACE_PID/COMM/FROM/TO/BYTES/DURATION_MS"
    else
        bad "journal: moved event" "$moved" "$(head -c 2000 "$journal_out")"
    fi
    refused=$(event "NUMAPLACE_VERB=move")
    if grep -q "MESSAGE_ID=0aceb85839a448109bd8fb5834dbcdfa" <<<"$refused" && grep -q "NUMAPLACE_PID=1007 " <<<"$refused" &&
        grep -q "NUMAPLACE_REASON=.*excluded-name" <<<"$refused"; then
        ok "journal: the refused move carries its pid, verb and reason"
    else
        bad "journal: refused move" "$refused"
    fi
    denied=$(event "NUMAPLACE_VERB=pause")
    if grep -q "NUMAPLACE_CLIENT_UID=$(id -u "$TESTUSER") " <<<"$denied" && grep -q "NUMAPLACE_REASON=permission denied" <<<"$denied"; then
        ok "journal: a group member's pause is refused with the client's uid"
    else
        bad "journal: denied pause" "$denied"
    fi
fi

if [ $fail -ne 0 ]; then
    echo "--- the first daemon's log (last 60 lines), for the failures above"
    tail -n 60 "$T/daemon.log" | sed 's/^/    /'
fi
echo "control: $pass passed, $fail failed"
[ $fail -eq 0 ]
