#!/bin/sh
# bignode: one 2000 MiB process with 2 busy threads cannot fit one 1536 MiB
# node.  Its memory starts interleaved across nodes 0 and 2 (different
# pairs).  It must end on the nearest pair ({0,1} or {2,3}): its running
# threads on that pair and >= 99% of its memory there, within 5 intervals
# plus 40 s of TCG page copying.
. /scenarios/common.sh
np_topology
np_hog --mb "${NP_BIG_MB:-2000}" --threads 2 --first-touch-node 0,2 --name bighog ||
	np_fail_now "could not start the 2000 MiB memhog"
pid=$NP_LAST_PID
probe $pid | sed 's/^/NPVM: INFO probe before /'
mig0=$(np_vmstat pgmigrate_success)
np_write_conf
np_start_placer
pair_ok() { # memory >= 99% on one pair, running threads inside that pair
	probe $pid | awk '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n = split(v["node_kb"], x, ","); for (i = 1; i <= n; i++) { split(x[i], p, ":"); kb[p[1]] = p[2] }
		t = v["total_kb"]; a = kb[0] + kb[1]; b = kb[2] + kb[3]
		r = v["run_nodes"]
		ok = 0
		if (a * 100 >= t * 99 && r ~ /^[01](,[01])?$/) ok = 1
		if (b * 100 >= t * 99 && r ~ /^[23](,[23])?$/) ok = 1
		exit !ok }'
}
# 5 intervals plus copying up to half of it at TCG's ~25 MB/s (see
# np_misplaced_body in common.sh).
limit=${NP_DURATION:-$((NP_DEADLINE + ${NP_BIG_MB:-2000} / 2 / ${NP_MIG_MBPS:-20}))}
np_wait_until pair_ok "$limit" "$pid"
t=$NP_T_MET
mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
np_metric "time_to_pair_s=${t:+$(np_cs_to_s $t)} pages_migrated=$mig placer_cpu_s=$(np_placer_cpu_s)"
[ -n "$t" ]; np_check $? "not >= 99% on one pair with threads there within ${limit}s: $(probe $pid)"
np_placer_alive; np_check $? "placer died"
np_finish "2000 MiB process on one node pair after $(np_cs_to_s ${t:-0}) s"
