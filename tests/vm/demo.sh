#!/bin/bash
# Boot the guest, start misplaced memhogs, run numaplaced (or --placer P),
# print locality before/after, numaplacectl status and the daemon's log.
#   tests/vm/demo.sh [--placer P] [run-vm.sh options]
set -eu
. "$(dirname "$0")/lib.sh"
log=$NP_VM_CACHE/logs/demo.log
rc=0
"$NP_VM_DIR/run-vm.sh" --log "$log" "$@" demo >/dev/null || rc=$?
tr -d '\r' <"$log" | grep -a -E 'NPVM: |NPLOG: ' | sed 's/.*\(NP\(VM\|LOG\): \)/\1/' |
	grep -v -E '^NPVM: (METRIC boot|INFO (boot|node[0-9]))' | sed 's/^NPVM: INFO //; s/^NPLOG: /  log| /'
exit $rc
