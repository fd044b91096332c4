#!/bin/sh
# pinned: three processes a placer must not touch:
#   A: numactl --membind=1 --cpunodebind=1 (explicit policy)
#   B: taskset to node 2's CPUs with memory first-touched on node 0
#      (remote, but pinned by the user)
#   C: misplaced and unpinned, but excluded by name "keepme" in the config
#   D: memory first-touched on node 0, its busy worker thread alone pinned
#      to node 3's CPUs (taskset -p on the thread's TID), the main thread
#      free: placing D would overwrite the worker's pin
# All must keep affinity, cgroup and per-node page counts (1 MiB slack),
# and D's worker its own CPUs.
. /scenarios/common.sh
np_topology
np_hog numactl --membind=1 --cpunodebind=1 -- --mb 200 --threads 1 --name pinA || np_fail_now "memhog A"
a=$NP_LAST_PID
np_hog taskset -c "$(np_node_cpus 2)" -- --mb 200 --threads 1 --first-touch-node 0 --name pinB || np_fail_now "memhog B"
b=$NP_LAST_PID
np_hog --mb 200 --threads 1 --first-touch-node 0 --name keepme || np_fail_now "memhog C"
c=$NP_LAST_PID
np_hog --mb 200 --threads 1 --first-touch-node 0 --name pinD || np_fail_now "memhog D"
d=$NP_LAST_PID
dtid=$(ls /proc/$d/task | grep -vx "$d" | head -1)
[ -n "$dtid" ] || np_fail_now "memhog D has no worker thread"
taskset -p -c "$(np_node_cpus 3)" "$dtid" >/dev/null || np_fail_now "could not pin D's worker $dtid"
thread_cpus() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$d/task/$dtid/status; }
dcpus0=$(thread_cpus)
sleep 1
probe $a $b $c $d | sed 's/^/NPVM: INFO probe before /'
snap0=$(np_snapshot $a $b $c $d)
np_write_conf 'exclude = { names = [ "keepme" ]; };
policy = { leave_pinned = true; numa_balancing = "coexist"; };'
np_start_placer
sleep $((NP_INTERVAL * 4))
probe $a $b $c $d | sed 's/^/NPVM: INFO probe after /'
snap1=$(np_snapshot $a $b $c $d)
diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "placement changed: $diff"
dcpus1=$(thread_cpus)
[ "$dcpus1" = "$dcpus0" ]; np_check $? "D's pinned worker $dtid moved from CPUs $dcpus0 to $dcpus1"
np_info "D's worker $dtid on CPUs $dcpus1; numaplacectl show: $(numaplacectl show $d 2>&1 | grep -i 'pinned' | head -1)"
np_placer_alive; np_check $? "placer died"
np_finish "membind, taskset, a thread's taskset and excluded processes untouched"
