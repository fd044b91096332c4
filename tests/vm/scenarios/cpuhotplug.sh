#!/bin/sh
# cpuhotplug: a CPU taken offline mid-run (issue 12's faults). The misplaced
# setup with one busy 300 MiB hog (+ blocker0); once numaplaced has placed
# it, the CPU of the node it was placed on goes offline (that node becomes
# one without CPUs; the kernel moves the hog's thread elsewhere and widens
# its affinity), and later comes back. Checked: the daemon lives through
# both, says once per change that it re-read the topology, logs no error
# storm, and the hog keeps its memory where numaplaced put it (nothing
# already placed is lost) unless its node lost its CPU, in which case it
# is placed again on a node with one. Reported: the time to notice each
# change (interval 3 s) and the hog's locality at the end.
. /scenarios/common.sh
np_topology
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 ||
	np_fail_now "could not start the node 0 blocker"
np_hog --mb 300 --threads 1 --first-touch-node 0 --name hog1 || np_fail_now "could not start the hog"
pid=$NP_LAST_PID
np_start_placer
# Placed: at most 60 s for its move to be recorded.
placed=
for i in $(seq 1 120); do
	if grep -q "pid $pid (hog1): nodes .* -> [0-9]" "$NP_DAEMON_LOG"; then placed=1; break; fi
	sleep 0.5
done
[ -n "$placed" ]; np_check $? "hog1 was not placed within 60 s"
for i in $(seq 1 120); do
	numaplacectl status 2>/dev/null | grep -q "^moves in flight: none" && break
	sleep 0.5
done
probe $pid | sed 's/^/NPVM: INFO probe placed /'
# The node holding most of its memory, and that node's CPU.
node=$(probe $pid | tr ' ' '\n' | sed -n 's/^node_kb=//p' | tr ',' '\n' | sort -t: -k2 -n | tail -1 | cut -d: -f1)
cpu=$(np_node_cpus "$node")
case $cpu in ''|*[!0-9]*|0) np_fail_now "hog1 placed on node '$node' (CPUs '$cpu'): not one CPU to take offline" ;; esac

wait_changes() { # N: wait (at most 3 intervals) for N topology lines
	local i=0
	while [ "$(grep -c 'topology re-read' "$NP_DAEMON_LOG")" -lt "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt $((NP_INTERVAL * 30)) ] && return 1
		usleep 100000
	done
}
t0=$(np_now_cs)
echo 0 >/sys/devices/system/cpu/cpu$cpu/online || np_fail_now "cannot take CPU $cpu offline"
wait_changes 1; np_check $? "CPU $cpu offline: no topology re-read logged within 3 intervals"
off_s=$(np_cs_to_s $(( $(np_now_cs) - t0 )))
np_info "node $node now: cpus=$(np_node_cpus "$node")"
sleep $((NP_INTERVAL * 2))
probe $pid | sed 's/^/NPVM: INFO probe offline /'
np_placer_alive; np_check $? "numaplaced died after CPU $cpu went offline"
numaplacectl status >/tmp/ctl.status 2>&1; np_check $? "status failed with CPU $cpu offline: $(head -2 /tmp/ctl.status)"
t0=$(np_now_cs)
echo 1 >/sys/devices/system/cpu/cpu$cpu/online || np_fail_now "cannot bring CPU $cpu back"
wait_changes 2; np_check $? "CPU $cpu online again: no topology re-read logged within 3 intervals"
on_s=$(np_cs_to_s $(( $(np_now_cs) - t0 )))
sleep $((NP_INTERVAL * 2))
np_placer_alive; np_check $? "numaplaced died after CPU $cpu came back"
n=$(grep -c 'topology re-read' "$NP_DAEMON_LOG")
[ "$n" = 2 ]; np_check $? "$n topology lines for two changes"
errors=$(grep -c '\[err\]\|\[crit\]\|\[alert\]' "$NP_DAEMON_LOG")
[ "$errors" -le 2 ]; np_check $? "$errors error lines: $(grep '\[err\]' "$NP_DAEMON_LOG" | head -3 | tr '\n' '|')"
probe $pid | sed 's/^/NPVM: INFO probe end /'
set -- $(np_locality $pid)
np_metric "offline_noticed_after_s=$off_s online_noticed_after_s=$on_s error_lines=$errors final_local_pct=$(np_bp_to_pct $4)"
# Nothing placed is lost: >= 95% local at the end, its placement put back
# on its threads once the CPU is online again.
[ "$4" -ge 9500 ]; np_check $? "hog1 only $(np_bp_to_pct $4)% local after the hotplug"
np_finish "CPU $cpu (node $node, where hog1 was placed) offline and back: noticed after $off_s s and $on_s s, daemon alive, hog $(np_bp_to_pct $4)% local"
