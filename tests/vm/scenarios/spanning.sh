#!/bin/sh
# spanning: one process with four busy threads (one per one-CPU node), all
# of its 400 MiB first touched on node 0, kernel balancing off. No node can
# hold it whole and binding it to every node changes nothing, so numaplaced
# keeps it; `show` must say why (spans-nodes: the CPU it needs, the nodes
# its threads run on, and that coexist mode with the kernel's balancing
# would move each thread's pages), never a bare no-room. Nothing moves.
. /scenarios/common.sh
np_topology
np_hog --mb 400 --threads 4 --first-touch-node 0 --name spanner || np_fail_now "could not start the spanner"
pid=$NP_LAST_PID
sleep 1
snap0=$(np_snapshot $pid)
np_start_placer
sleep $((NP_INTERVAL * 4))
np_ctl_to /tmp/ctl.show show "$pid"
np_check $? "numaplacectl show $pid failed: $(head -2 /tmp/ctl.show)"
sed 's/^/NPVM: INFO show /' /tmp/ctl.show
grep -q "spans-nodes" /tmp/ctl.show
np_check $? "show does not give spans-nodes as the reason"
grep -q "coexist" /tmp/ctl.show
np_check $? "show does not say that coexist with kernel balancing would handle it"
if grep -q "no-room" /tmp/ctl.show; then np_check 1 "show says no-room"; fi
snap1=$(np_snapshot $pid)
diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "placement changed: $diff"
np_placer_alive; np_check $? "placer died"
np_finish "a process spanning all nodes is kept whole with its reason (spans-nodes)"
