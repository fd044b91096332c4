#!/bin/sh
# fullnode: node 1 (nearest to node 0) is filled by a pinned, idle memhog
# (numactl --membind=1 --cpunodebind=1) so that its free memory is below
# the 5% headroom plus the size of any candidate.  Two busy memhogs
# first-touch node 0.  Asserts: nothing is pushed into node 1 (its free
# memory does not drop by more than 16 MiB), no OOM in dmesg, placer alive.
. /scenarios/common.sh
np_topology
free1=$(( $(np_node_free_kb 1) / 1024 ))
fill=$((free1 - ${NP_FILL_LEAVE_MB:-80}))
np_hog numactl --membind=1 --cpunodebind=1 -- --mb "$fill" --threads 0 --name filler ||
	np_fail_now "could not fill node 1 with $fill MiB"
filler=$NP_LAST_PID
pids=
for i in 1 2; do
	np_hog --mb 300 --threads 1 --first-touch-node 0 --name "hog$i" || np_fail_now "memhog $i"
	pids="$pids $NP_LAST_PID"
done
sleep 1
before1=$(np_node_free_kb 1)
np_info "node1 free after fill: $((before1 / 1024)) MiB (filler $fill MiB)"
probe $filler $pids | sed 's/^/NPVM: INFO probe before /'
np_write_conf
np_start_placer
sleep $((NP_INTERVAL * 5))
probe $filler $pids | sed 's/^/NPVM: INFO probe after /'
after1=$(np_node_free_kb 1)
drop=$(( (before1 - after1) / 1024 ))
np_metric "node1_free_before_kb=$before1 node1_free_after_kb=$after1 drop_mb=$drop placer_cpu_s=$(np_placer_cpu_s)"
[ "$drop" -le 16 ]; np_check $? "node 1 free memory dropped by $drop MiB"
! dmesg | grep -q 'Out of memory'; np_check $? "OOM killer ran"
kill -0 $filler 2>/dev/null; np_check $? "filler died"
np_placer_alive; np_check $? "placer died"
np_finish "full node 1 untouched (free drop $drop MiB), no OOM"
