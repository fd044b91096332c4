#!/bin/sh
# moverbench: the mover's copy throughput in this guest
# (tests/bench/moverbench.c): 2, then 3, idle processes of 128 MiB moved
# off node 0 by a bare migrate_pages loop (one after another), by as many
# mover threads at once, and by those throttled to 50 MiB/s. Metrics only (the ratios); it
# fails only when the bench does not run or a process did not end on its
# target. Not in check-vm's default list (a benchmark, not a check): run
# tests/vm/check-vm.sh moverbench after make build/moverbench.
. /scenarios/common.sh
np_topology
[ -x /np/bin/moverbench ] || np_fail_now "moverbench not in the guest (make build/moverbench)"
summaries=
for k in 2 3; do
	/np/bin/moverbench --mb 128 --workers $k --rate 50 >/tmp/moverbench.out 2>&1
	rc=$?
	while read -r line; do np_info "$line"; done </tmp/moverbench.out
	summary=$(sed -n 's/^moverbench: workers=/workers=/p' /tmp/moverbench.out)
	np_metric "$summary"
	summaries="$summaries${summaries:+; }$summary"
	[ $rc = 0 ]; np_check $? "moverbench --workers $k failed: $(tail -3 /tmp/moverbench.out | tr '\n' '|')"
done
np_finish "$summaries"
