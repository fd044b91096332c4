#!/bin/sh
# vm: --nodes 8 --mem-per-node 512 --dist 10,12,12,12,32,32,32,32;12,10,12,12,32,32,32,32;12,12,10,12,32,32,32,32;12,12,12,10,32,32,32,32;32,32,32,32,10,12,12,12;32,32,32,32,12,10,12,12;32,32,32,32,12,12,10,12;32,32,32,32,12,12,12,10
# slit8: two sockets of four nodes (one CPU and 512 MiB each), 12 within a
# socket and 32 across. One busy 700 MiB process with two threads, bigger
# than any node, its memory first touched interleaved on nodes 0 and 4 (one
# per socket). It must end on nodes of one socket: its running threads
# there and >= 99% of its memory there (a placement across the sockets
# would pay 32 for every remote access instead of 12). With numaplaced:
# within 5 intervals plus the copy at TCG's rate; pages migrated reported
# next to the half of its memory that had to cross. Other placers: metrics.
. /scenarios/common.sh
np_topology
mb=${NP_BIG_MB:-700}
np_hog --mb "$mb" --threads 2 --first-touch-node 0,4 --name bighog ||
	np_fail_now "could not start the $mb MiB memhog"
pid=$NP_LAST_PID
probe $pid | sed 's/^/NPVM: INFO probe before /'
mig0=$(np_vmstat pgmigrate_success)
np_write_conf
np_start_placer
one_socket() { # memory >= 99% on one socket's nodes, running threads there
	probe $pid | awk '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n = split(v["node_kb"], x, ","); for (i = 1; i <= n; i++) { split(x[i], p, ":"); kb[p[1]] = p[2] }
		t = v["total_kb"]; a = kb[0] + kb[1] + kb[2] + kb[3]; b = kb[4] + kb[5] + kb[6] + kb[7]
		r = v["run_nodes"]
		ok = 0
		if (a * 100 >= t * 99 && r ~ /^[0-3](,[0-3])*$/) ok = 1
		if (b * 100 >= t * 99 && r ~ /^[4-7](,[4-7])*$/) ok = 1
		exit !ok }'
}
limit=${NP_DURATION:-$((NP_DEADLINE + mb / 2 / ${NP_MIG_MBPS:-15}))}
np_wait_until one_socket "$limit" "$pid"
t=$NP_T_MET
mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
np_metric "time_to_one_socket_s=${t:+$(np_cs_to_s $t)} pages_migrated=$mig half_pages=$((mb * 256 / 2)) placer_cpu_s=$(np_placer_cpu_s)"
if [ "$NP_PLACER" = numaplaced ]; then
	[ -n "$t" ]; np_check $? "not >= 99% on one socket with its threads there within ${limit}s: $(probe $pid)"
	np_placer_alive; np_check $? "placer died"
	np_finish "$mb MiB process on one socket after $(np_cs_to_s ${t:-0}) s, $mig pages migrated"
else
	np_finish "metrics only for placer $NP_PLACER"
fi
