#!/usr/bin/env bash
# make check-valgrind: the unit tests, then one `numaplaced --once --sysroot`
# pass over every fixture tree captured from a machine, under valgrind's
# memcheck. Any invalid access, use of uninitialised memory or definite
# leak fails the run (--error-exitcode). Run from the repo root after
# `make` and the unit test binaries are built.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null; then
    echo "check-valgrind: valgrind is not installed (apt-get install valgrind)"; exit 1
fi
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-origins=yes)
pass=0 fail=0
start=$(date +%s)
mkdir -p build
conf=$(mktemp /tmp/np-valgrind.XXXXXX.conf)
trap 'rm -f "$conf"' EXIT
for t in "$@"; do
    # One process (no fork per test), so valgrind sees every test.
    if CK_FORK=no CK_DEFAULT_TIMEOUT=600 NP_UNDER_VALGRIND=1 "${VG[@]}" "$t" > "build/valgrind-${t##*/}.log" 2>&1; then
        echo "PASS valgrind: ${t##*/}"; pass=$((pass + 1))
    else
        echo "FAIL valgrind: ${t##*/} (build/valgrind-${t##*/}.log)"; tail -30 "build/valgrind-${t##*/}.log" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
for root in tests/fixtures/*/; do
    root=${root%/}
    [ -d "$root/sys/devices/system/node" ] || continue
    name=${root##*/}
    if "${VG[@]}" daemon/numaplaced --once --sysroot "$root" -c "$conf" > "build/valgrind-once-$name.log" 2>&1; then
        echo "PASS valgrind: numaplaced --once --sysroot $root"; pass=$((pass + 1))
    else
        rc=$?
        # An exit that is not valgrind's 99 is the daemon's own answer to
        # that tree (e.g. no NUMA); only memory errors fail.
        if [ $rc -ne 99 ]; then
            echo "PASS valgrind: numaplaced --once --sysroot $root (exit $rc, no memory error)"; pass=$((pass + 1))
        else
            echo "FAIL valgrind: numaplaced --once --sysroot $root (build/valgrind-once-$name.log)"
            tail -30 "build/valgrind-once-$name.log" | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    fi
done
echo "check-valgrind: $pass passed, $fail failed in $(($(date +%s) - start)) s"
[ $fail -eq 0 ]
