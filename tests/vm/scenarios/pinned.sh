#!/bin/sh
# pinned: three processes a placer must not touch:
#   A: numactl --membind=1 --cpunodebind=1 (explicit policy)
#   B: taskset to node 2's CPUs with memory first-touched on node 0
#      (remote, but pinned by the user)
#   C: misplaced and unpinned, but excluded by name "keepme" in the config
# All must keep affinity, cgroup and per-node page counts (1 MiB slack).
. /scenarios/common.sh
np_topology
np_hog numactl --membind=1 --cpunodebind=1 -- --mb 200 --threads 1 --name pinA || np_fail_now "memhog A"
a=$NP_LAST_PID
np_hog taskset -c "$(np_node_cpus 2)" -- --mb 200 --threads 1 --first-touch-node 0 --name pinB || np_fail_now "memhog B"
b=$NP_LAST_PID
np_hog --mb 200 --threads 1 --first-touch-node 0 --name keepme || np_fail_now "memhog C"
c=$NP_LAST_PID
sleep 1
probe $a $b $c | sed 's/^/NPVM: INFO probe before /'
snap0=$(np_snapshot $a $b $c)
np_write_conf 'exclude = { names = [ "keepme" ]; };
policy = { leave_pinned = true; numa_balancing = "coexist"; };'
np_start_placer
sleep $((NP_INTERVAL * 4))
probe $a $b $c | sed 's/^/NPVM: INFO probe after /'
snap1=$(np_snapshot $a $b $c)
diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "placement changed: $diff"
np_placer_alive; np_check $? "placer died"
np_finish "membind, taskset and excluded processes untouched"
