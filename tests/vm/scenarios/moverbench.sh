#!/bin/sh
# moverbench: the mover's copy throughput in this guest
# (tests/bench/moverbench.c): 2, then 3, idle processes of 128 MiB moved
# off node 0 by a bare migrate_pages loop (one after another), by as many
# mover threads at once, and by those throttled to 50 MiB/s; then a 384 MiB
# process moved to one node and spread over two (split by batches, and by
# node pairs), three rounds, idle and then busy writing its memory (issue
# 10: spread >= 0.8x one target's rate). Metrics only (the ratios); it
# fails only when the bench does not run or a process did not end on its
# target. Not in check-vm's default list (a benchmark, not a check): run
# tests/vm/check-vm.sh moverbench after make build/moverbench.
. /scenarios/common.sh
np_topology
[ -x /np/bin/moverbench ] || np_fail_now "moverbench not in the guest (make build/moverbench)"
summaries=
# bench ARGS...: runs moverbench with ARGS, logs its lines, records its
# summary line (the one starting "workers=" or "spread ") as a metric.
bench() {
	/np/bin/moverbench "$@" >/tmp/moverbench.out 2>&1
	rc=$?
	while read -r line; do np_info "$line"; done </tmp/moverbench.out
	summary=$(sed -n 's/^moverbench: \(workers=\|spread \)/\1/p' /tmp/moverbench.out)
	np_metric "$summary"
	summaries="$summaries${summaries:+; }$summary"
	[ $rc = 0 ]; np_check $? "moverbench $* failed: $(tail -3 /tmp/moverbench.out | tr '\n' '|')"
}
for k in 2 3; do
	bench --mb 128 --workers $k --rate 50
done
bench --spread --mb 384 --rounds 3
bench --spread --busy --mb 384 --rounds 3
np_finish "$summaries"
