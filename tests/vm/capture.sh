#!/bin/bash
# Boot the guest with misplaced memhogs and save a fixture tree of /sys and
# /proc file contents into OUTDIR (see scenarios/capture.sh for the list).
#   tests/vm/capture.sh OUTDIR [run-vm.sh options]
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [run-vm.sh options]" >&2; exit 2; }
out=$1
shift
log=$NP_VM_CACHE/logs/capture.log
"$NP_VM_DIR/run-vm.sh" --placer none --log "$log" "$@" capture | grep -v '^NPVM: INFO probe' || true
grep -aq 'NPVM-CAPTURE-END' "$log" || np_die "no capture block in $log"
mkdir -p "$out"
# The block is base64 lines between the markers (CR from the serial line
# stripped).
tr -d '\r' <"$log" | sed -n '/^NPVM-CAPTURE-BEGIN$/,/^NPVM-CAPTURE-END$/p' | sed '1d;$d' |
	base64 -d | tar xzf - -C "$out"
np_log "capture written to $out ($(find "$out" -type f | wc -l) files)"
