#!/usr/bin/env bash
# Service tests: the sd_notify protocol as systemd sees it (READY, STATUS,
# WATCHDOG, STOPPING), the unit's sandbox rating and syntax, the man pages,
# and `make install`/`uninstall`. Run from the repo root after `make`.
# A check whose tool is missing is reported as "skip", never as a pass.
set -uo pipefail
cd "$(dirname "$0")/../.."

pass=0 fail=0 skip=0
ok()   { echo "PASS $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }
skip() { echo "skip $1"; skip=$((skip + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

MAX_EXPOSURE=1.5
FIXTURE=tests/fixtures/engine-4node
tmp=$(mktemp -d /tmp/np-service.XXXXXX)
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -x daemon/numaplaced ]; then
    echo "FAIL daemon/numaplaced is not built (run make)"; exit 1
fi

# --- (a) sd_notify: a fake NOTIFY_SOCKET -------------------------------------
# Runs the daemon for ~3 s with a 2 s watchdog (pings every 1 s), then
# SIGTERM. WATCHDOG_PID must be the daemon's own pid (sd_watchdog_enabled
# ignores the variables otherwise): the subshell learns its pid from
# $BASHPID and exec keeps it. Prints the notifications to $1.
run_notified() {
    local out=$1 watchdog_pid_mode=$2 sock=$tmp/notify.sock
    rm -f "$sock"
    "$tmp/notify_listener" "$sock" 20 > "$out" &
    local listener=$!
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    (
        if [ "$watchdog_pid_mode" = self ]; then wpid=$BASHPID; else wpid=1; fi
        exec env NOTIFY_SOCKET="$sock" WATCHDOG_USEC=2000000 WATCHDOG_PID="$wpid" \
            daemon/numaplaced -f --sysroot "$FIXTURE" -i 1 --socket "$tmp/control.sock"
    ) 2> "$out.log" &
    daemon_pid=$!
    sleep 3.2
    kill -TERM "$daemon_pid"
    wait "$daemon_pid"
    local rc=$?
    daemon_pid=
    wait "$listener"
    echo "$rc" > "$out.rc"
}

if cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/notify_listener" tests/service/notify_listener.c; then
    ok "notify_listener builds warning-free"
    out=$tmp/notify.out
    run_notified "$out" self
    check "daemon exits 0 on SIGTERM" [ "$(cat "$out.rc")" = 0 ]
    check "first notification is READY=1" [ "$(head -n1 "$out")" = READY=1 ]
    check "READY=1 is sent once" [ "$(grep -c '^READY=1$' "$out")" = 1 ]
    check "STATUS= follows READY=1" grep -q '^STATUS=' <(sed -n 2p "$out")
    check "STATUS= describes the cycle" \
        grep -Eq '^STATUS=[0-9]+ busy, [0-9]+ scored, [0-9]+ moves, [0-9]+ MiB migrated, last cycle [0-9.]+ ms CPU$' "$out"
    n_status=$(grep -c '^STATUS=' "$out")
    check "a STATUS= per cycle (1 s interval: >= 3 in 3 s, got $n_status)" [ "$n_status" -ge 3 ]
    n_wd=$(grep -c '^WATCHDOG=1$' "$out")
    check "WATCHDOG=1 pings (every 1 s: >= 2 in 3 s, got $n_wd)" [ "$n_wd" -ge 2 ]
    check "STOPPING=1 is the last notification" [ "$(tail -n1 "$out")" = STOPPING=1 ]
    check "nothing but READY/STATUS/WATCHDOG/STOPPING is sent" \
        bash -c '! grep -Ev "^(READY=1|STATUS=.*|WATCHDOG=1|STOPPING=1)$" "$1"' _ "$out"
    if [ "$fail" -gt 0 ]; then echo "--- notifications:"; cat "$out"; echo "--- log:"; cat "$out.log"; fi

    # A WATCHDOG_PID naming another process means the watchdog is not ours.
    out2=$tmp/notify-otherpid.out
    run_notified "$out2" other
    check "WATCHDOG_PID of another process: READY=1 and STOPPING=1 still sent" \
        bash -c '[ "$(head -n1 "$1")" = READY=1 ] && [ "$(tail -n1 "$1")" = STOPPING=1 ]' _ "$out2"
    check "WATCHDOG_PID of another process: no WATCHDOG=1" bash -c '! grep -q "^WATCHDOG=1$" "$1"' _ "$out2"

    # Cycles stop while the loop lives (the sysroot's proc/ vanishes, so
    # every cycle fails): the pings must stop within two intervals plus a
    # second and a ping period, and resume once cycles run again.
    out3=$tmp/notify-stalled.out
    root3=$tmp/stalled-root
    cp -a "$FIXTURE" "$root3"
    rm -f "$tmp/notify.sock"
    "$tmp/notify_listener" "$tmp/notify.sock" 30 > "$out3" &
    listener=$!
    for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
    (
        exec env NOTIFY_SOCKET="$tmp/notify.sock" WATCHDOG_USEC=1000000 WATCHDOG_PID="$BASHPID" \
            daemon/numaplaced -f --sysroot "$root3" -i 1 --socket "$tmp/control.sock"
    ) 2> "$out3.log" &
    daemon_pid=$!
    sleep 2
    wd_before=$(grep -c '^WATCHDOG=1$' "$out3")
    mv "$root3/proc" "$root3/proc.away"
    sleep 4.5   # 2 intervals + 1 s until the pings stop, then a quiet stretch
    wd_stalled0=$(grep -c '^WATCHDOG=1$' "$out3")
    sleep 2.5
    wd_stalled1=$(grep -c '^WATCHDOG=1$' "$out3")
    mv "$root3/proc.away" "$root3/proc"
    sleep 2.5
    wd_after=$(grep -c '^WATCHDOG=1$' "$out3")
    kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=
    wait "$listener"
    check "watchdog: pings while cycles run (got $wd_before in 2 s)" [ "$wd_before" -ge 2 ]
    check "watchdog: no ping while no cycle runs ($wd_stalled0 -> $wd_stalled1 in 2.5 s)" \
        [ "$wd_stalled1" = "$wd_stalled0" ]
    check "watchdog: the daemon says why the pings stopped" grep -q 'no placement cycle for [0-9]* s: no watchdog ping' "$out3.log"
    check "watchdog: pings resume with the cycles ($wd_stalled1 -> $wd_after)" [ "$wd_after" -gt "$wd_stalled1" ]
    if [ "$fail" -gt 0 ]; then echo "--- notifications:"; cat "$out3"; echo "--- log:"; cat "$out3.log"; fi
else
    bad "notify_listener builds warning-free"
fi

# --- (b) + (c) the unit: sandbox rating and systemd-analyze verify ----------
# verify needs ExecStart's binary to exist and the Documentation= man pages
# to be found, so it runs on a copy pointing at the built daemon, with
# MANPATH holding docs/man laid out as a man tree.
if command -v systemd-analyze >/dev/null; then
    units=$tmp/units
    mkdir -p "$units" "$tmp/man/man5" "$tmp/man/man8"
    sed -e "s|@sbindir@|$PWD/daemon|" -e 's|@config_arg@||' systemd/numaplaced.service > "$units/numaplaced.service"
    cp systemd/numaplaced.socket "$units/"
    cp docs/man/*.5 "$tmp/man/man5/"; cp docs/man/*.8 "$tmp/man/man8/"
    check "unit template has only the known @placeholders@" \
        bash -c '! grep -o "@[a-z_]*@" systemd/numaplaced.service | grep -Ev "^@(sbindir|config_arg)@$"'

    sec=$(cd "$units" && systemd-analyze security --offline=yes numaplaced.service 2>&1)
    exposure=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for numaplaced.service: \([0-9.]*\).*/\1/p')
    echo "     exposure: ${exposure:-?} (at most $MAX_EXPOSURE)"
    check "systemd-analyze security exposure ${exposure:-?} <= $MAX_EXPOSURE" \
        awk -v e="${exposure:-99}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e != "" && e + 0 <= m + 0) }'
    for item in 'CapabilityBoundingSet=~CAP_SYS_ADMIN' 'CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)' \
                'SystemCallFilter=~@privileged' 'SystemCallFilter=~@debug' 'RestrictAddressFamilies=~AF_(INET|INET6)' \
                'ProtectKernelTunables=' 'NoNewPrivileges=' 'PrivateDevices='; do
        check "security: $item holds" grep -Fq "✓ $item " <<< "$sec"
    done

    vout=$(cd "$units" && MANPATH="$tmp/man:" systemd-analyze verify ./numaplaced.service ./numaplaced.socket 2>&1)
    vrc=$?
    check "systemd-analyze verify is clean (rc $vrc)" [ "$vrc" = 0 -a -z "$vout" ]
    [ -n "$vout" ] && printf '     %s\n' "$vout"
else
    skip "systemd-analyze security/verify: systemd-analyze not installed"
fi

# --- (d) man pages -----------------------------------------------------------
for page in docs/man/numaplaced.8 docs/man/numaplaced.conf.5; do
    if command -v groff >/dev/null; then
        w=$(groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
        check "groff -ww: $page has no warnings" [ -z "$w" ]
        [ -n "$w" ] && printf '     %s\n' "$w"
    else
        skip "groff: not installed"
    fi
    if command -v man >/dev/null; then
        w=$(LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
        check "man --warnings: $page has no warnings" [ -z "$w" ]
        [ -n "$w" ] && printf '     %s\n' "$w"
    fi
done
# Every schema key, with its default, is documented; every option too.
missing=
while IFS='|' read -r key def; do
    def=${def//\"/}
    grep -Fq ".B $key" docs/man/numaplaced.conf.5 || { missing+=" $key"; continue; }
    case $def in \[\]) def=empty ;; esac
    # (a minus sign is written \- in roff)
    sed -n "/^\.B $key\$/,/^\.TP/p" docs/man/numaplaced.conf.5 | sed 's/\\-/-/g' | grep -Fq "default ${def}" ||
        sed -n "/^\.B $key\$/,/^\.TP/p" docs/man/numaplaced.conf.5 | tr '\n' ' ' | grep -Fq "default \\(dq${def}\\(dq" ||
        missing+=" $key(default $def)"
done < <(sed -n 's/^ *X("\([a-z_.]*\)", NP_KEY_[A-Z_]*, [^,]*, [^,]*, \("[^"]*"\).*/\1|\2/p' lib/config.c)
nkeys=$(grep -c '^ *X("' lib/config.c)
check "numaplaced.conf.5 documents all $nkeys schema keys with their defaults${missing:+ (missing:$missing)}" \
    [ -z "$missing" -a "$nkeys" -gt 20 ]
missing=
for opt in $(daemon/numaplaced --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -Fq -- "${opt//-/\\-}" docs/man/numaplaced.8 || missing+=" $opt"
done
check "numaplaced.8 documents every option of --help${missing:+ (missing:$missing)}" [ -z "$missing" ]

# --- (e) make install / uninstall -------------------------------------------
dest=$tmp/root
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null); unitdir=${unitdir:-/lib/systemd/system}
if make -s install DESTDIR="$dest" PREFIX=/usr > "$tmp/install.log" 2>&1; then
    ok "make install DESTDIR PREFIX=/usr"
    expected=(usr/sbin/numaplaced etc/numaplaced.conf "${unitdir#/}/numaplaced.service" "${unitdir#/}/numaplaced.socket"
              usr/share/man/man8/numaplaced.8 usr/share/man/man5/numaplaced.conf.5 usr/lib/sysusers.d/numaplace.conf
              usr/lib/systemd/catalog/numaplace.catalog)
    [ -x daemon/numaplacectl ] && expected+=(usr/bin/numaplacectl)
    missing=
    for f in "${expected[@]}"; do [ -f "$dest/$f" ] || missing+=" $f"; done
    check "install puts every file in place${missing:+ (missing:$missing)}" [ -z "$missing" ]
    check "installed daemon is executable" [ -x "$dest/usr/sbin/numaplaced" ]
    check "installed config is the shipped one" cmp -s conf/numaplaced.conf "$dest/etc/numaplaced.conf"
    check "installed unit runs /usr/sbin/numaplaced -f" \
        grep -qx 'ExecStart=/usr/sbin/numaplaced -f' "$dest/${unitdir#/}/numaplaced.service"
    # The catalog indexes (journalctl's own parser) and explains exactly
    # the message ids the daemon sends.
    if command -v journalctl >/dev/null; then
        mkdir -p "$tmp/catroot/usr/lib/systemd/catalog"
        cp "$dest/usr/lib/systemd/catalog/numaplace.catalog" "$tmp/catroot/usr/lib/systemd/catalog/"
        sent=$(grep -Eo '"[0-9a-f]{32}"' lib/engine_report.c | tr -d '"' | sort | tr '\n' ' ')
        listed=$(journalctl --root "$tmp/catroot" --update-catalog 2>&1 &&
                 journalctl --root "$tmp/catroot" --list-catalog 2>&1 | awk '$2 == "numaplace:" { print $1 }' | sort | tr '\n' ' ')
        check "journal catalog lists the daemon's 5 message ids ($listed)" [ "$(wc -w <<<"$sent")" = 5 -a "$sent" = "$listed" ]
    else
        skip "journal catalog: journalctl not installed"
    fi
    check "installed unit has no @placeholders@ left" bash -c '! grep -q "@[a-z_]*@" "$1"' _ "$dest/${unitdir#/}/numaplaced.service"

    echo "# changed by the admin" >> "$dest/etc/numaplaced.conf"
    cp "$dest/etc/numaplaced.conf" "$tmp/admin.conf"
    make -s install DESTDIR="$dest" PREFIX=/usr > "$tmp/install2.log" 2>&1
    check "second make install succeeds" [ $? = 0 ]
    check "second make install keeps the modified /etc/numaplaced.conf" cmp -s "$tmp/admin.conf" "$dest/etc/numaplaced.conf"

    make -s uninstall DESTDIR="$dest" PREFIX=/usr > "$tmp/uninstall.log" 2>&1
    check "make uninstall succeeds" [ $? = 0 ]
    left=$(cd "$dest" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
    check "uninstall removes everything but the modified config (left: $left)" [ "$left" = "etc/numaplaced.conf " ]

    # An unmodified config goes with the rest; sysconfdir elsewhere is named in the unit.
    dest2=$tmp/root2
    make -s install DESTDIR="$dest2" PREFIX=/usr/local sysconfdir=/usr/local/etc > /dev/null 2>&1
    check "sysconfdir=/usr/local/etc: the unit passes -c" \
        grep -qx 'ExecStart=/usr/local/sbin/numaplaced -f -c /usr/local/etc/numaplaced.conf' "$dest2/${unitdir#/}/numaplaced.service"
    make -s uninstall DESTDIR="$dest2" PREFIX=/usr/local sysconfdir=/usr/local/etc > /dev/null 2>&1
    left=$(cd "$dest2" && find . -type f | wc -l)
    check "uninstall of an untouched install leaves no file ($left left)" [ "$left" = 0 ]
else
    bad "make install DESTDIR PREFIX=/usr"; cat "$tmp/install.log"
fi

echo "service: $pass passed, $fail failed${skip:+, $skip skipped}"
[ "$fail" -eq 0 ]
