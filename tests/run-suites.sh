#!/usr/bin/env bash
# Runs every unit test binary given as arguments, then the golden, control,
# service and contrib suites, each to the terminal and to build/logs/. When
# something fails, the failing lines are repeated at the very end, because a
# CI log is often read from its tail only.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=build/logs
mkdir -p "$logs"
failed=()

run_suite() {   # run_suite NAME CMD...
    local name=$1; shift
    local log="$logs/${name//\//_}.log"
    "$@" 2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$name")
}

for t in "$@"; do
    echo "== $t"
    CK_FORK=yes run_suite "$t" "./$t"
done
for s in golden control service contrib; do
    [ -x "tests/$s/run.sh" ] && run_suite "tests/$s" "tests/$s/run.sh"
done

if [ ${#failed[@]} -eq 0 ]; then
    echo "check-unit: all suites passed"
    exit 0
fi
echo
echo "=== check-unit FAILED in: ${failed[*]}"
for name in "${failed[@]}"; do
    echo "--- $name"
    # check's failure lines (file:line:F/E:...) and the suites' FAIL blocks.
    grep -E -A4 '^[^ ]+:[0-9]+:[EF]:|^FAIL|failed|Error' "$logs/${name//\//_}.log" | head -n 30
done
exit 1
