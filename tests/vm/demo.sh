#!/bin/bash
# make demo: three busy memhogs whose memory sits on another node than their
# threads, in a 4-node guest. numaplaced runs until every hog is 95% local
# (or 90 s); each hog's before/after table and numaplaced's account of what
# it did are printed. Then the same workloads with the kernel's NUMA
# balancing and with no placer (short runs of the same guest), and one
# table sets the three side by side. Exit status: non-zero when numaplaced
# did not make the hogs local. About 2-3 minutes on 2 cores.
#   tests/vm/demo.sh [run-vm.sh options]
set -u
. "$(dirname "$0")/lib.sh"
mkdir -p "$NP_VM_CACHE/logs"

# run PLACER SECONDS: one guest run; its log is build/vm/logs/demo-PLACER.log.
run() {
	"$NP_VM_DIR/run-vm.sh" --log "$NP_VM_CACHE/logs/demo-$1.log" --placer "$1" \
		--append "np.demo_s=$2" "${@:3}" demo >/dev/null
}
lines() { tr -d '\r' <"$NP_VM_CACHE/logs/demo-$1.log" | grep -a -E 'NPVM: ' | sed 's/.*\(NPVM: \)/\1/'; }
metric() { lines "$1" | sed -n "s/.*METRIC scenario=demo placer=$1 .*$2=\([^ ]*\).*/\1/p" | tail -1; }

echo "== numaplaced: three busy 300 MiB processes, memory on node 0, threads elsewhere"
rc=0
run numaplaced 90 "$@" || rc=$?
lines numaplaced | grep -v -E '^NPVM: (METRIC|INFO (boot|node[0-9]|start|demo: placer|start scenario))' |
	sed 's/^NPVM: INFO //; s/^NPVM: //'
echo
echo "== the same workloads with the kernel's NUMA balancing, then with no placer"
run kernel 45 "$@" || true
run none 15 "$@" || true
printf '\n%-12s %-18s %-12s %-11s %-26s %s\n' PLACER "ALL 95% LOCAL" "FINAL LOCAL" "MIN LOCAL" "PAGES MIGRATED (x NEEDED)" "PLACER CPU"
for p in numaplaced kernel none; do
	all=$(metric $p all_local_95_s)
	watched=$(metric $p watched_s)
	[ "$all" = never ] && all="not in ${watched}s"
	[ -n "$all" ] && [ "$all" != "not in ${watched}s" ] && all="${all} s"
	cpu=$(metric $p placer_cpu_s)
	pages=$(metric $p pages_migrated) remote=$(metric $p remote_pages_before)
	ratio=$(awk -v a="${pages:-0}" -v b="${remote:-0}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
	printf '%-12s %-18s %-12s %-11s %-26s %s\n' "$p" "${all:-?}" "$(metric $p final_local_pct)%" \
		"$(metric $p min_local_pct)%" "${pages:-?} ($ratio)" "$([ "${cpu:-n/a}" = n/a ] && echo n/a || echo "$cpu s")"
done
echo
echo "(logs: $NP_VM_CACHE/logs/demo-{numaplaced,kernel,none}.log. The guest boots with kernel"
echo " balancing off; the kernel run turns it on. MIN LOCAL is the least local hog at the end.)"
if [ $rc -ne 0 ]; then
	echo "FAIL demo: numaplaced did not make every hog local (see above)"
else
	echo "PASS demo: numaplaced made every hog local"
fi
exit $rc
