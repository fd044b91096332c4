#!/usr/bin/env bash
# Golden tests: `numaplaced --once --sysroot FIXTURE -c CONF` must print
# exactly the expected ranked processes, decisions and recorded actuator
# calls. Timings are the only varying figures and are masked.
# Usage: tests/golden/run.sh [--update]
set -euo pipefail
cd "$(dirname "$0")/../.."
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
normalize() { sed -E 's/ in [0-9]+ ms/ in N ms/'; }
for conf in tests/golden/*.conf; do
    name=$(basename "$conf" .conf)
    fixture=$(sed -n 's/^# fixture: *//p' "$conf")
    expected=tests/golden/$name.expected
    actual=$(./daemon/numaplaced --once --sysroot "$fixture" -c "$conf" 2>&1 | normalize) || {
        echo "FAIL $name: numaplaced exited non-zero"; echo "$actual"; fail=$((fail + 1)); continue; }
    if [ $update = 1 ]; then
        printf '%s\n' "$actual" > "$expected"
        echo "updated $expected"
        continue
    fi
    if diff -u "$expected" <(printf '%s\n' "$actual"); then
        echo "PASS $name"; pass=$((pass + 1))
    else
        echo "FAIL $name: output differs from $expected"; fail=$((fail + 1))
    fi
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
