#!/bin/sh
# spanbal: spanning's process (400 MiB first touched on node 0, four busy
# threads, one per one-CPU node) with kernel.numa_balancing on from the
# placer's start: what the kernel's balancing makes of it alone (--placer
# kernel) and beside numaplaced (--placer coexist: numaplaced with
# policy.numa_balancing = coexist, never takeover). memhog --report-ms 1000
# prints a THREADS line every second: each thread's node and the share of
# its own chunk on that node (move_pages query on every 16th page), the
# chunk-weighted mean (local_bp) and the MiB/s all threads streamed. Watched
# np.duration s (60). Metrics (no timing is asserted): when local_bp
# first reached 95% and whether it stayed there, final and mean local_bp,
# pages migrated, throughput over the first 10 s and the last 20 s. Other
# placers run with balancing on as well (numaplaced gets the same coexist
# config, none is balancing alone like kernel). With numaplaced (coexist
# or numaplaced) it fails unless the four workers were bound to four
# different nodes (plan.h rule 7, logged) and ended >= 95% local per
# thread; with any placer, unless the hog and the placer are alive.
. /scenarios/common.sh
np_topology
np_hog --mb 400 --threads 4 --first-touch-node 0 --report-ms 1000 --name spanbal ||
	np_fail_now "could not start the spanning memhog"
# Hog report times are centiseconds since its "ready" line, which np_hog
# notices within one 0.1 s poll; t_placer below is seconds since balancing
# was turned on at the placer's start (bal_cs).
ready_cs=$(np_now_cs)
pid=$NP_LAST_PID
out=/tmp/hog.$NP_HOGN.out
sleep 1
probe "$pid" | sed 's/^/NPVM: INFO probe before /'

# Prints the hog's THREADS lines after line $1 as INFO, each with its time
# after balancing went on (s), and its notes about retried move_pages
# queries; sets SHOWN to the lines read.
SHOWN=0
show_new() {
	local n off=$((bal_cs - ready_cs))
	n=$(wc -l <"$out")
	sed -n "$(($1 + 1)),${n}p" "$out" | awk -v off="$off" -v sc="$NP_SCENARIO" '
		/^THREADS / { sub("^t=", "", $2); r = $2 - off; $2 = "t=" $2
			printf "NPVM: INFO %s: THREADS t_placer=%s%d.%02d %s\n", sc, r < 0 ? "-" : "", (r < 0 ? -r : r) / 100, (r < 0 ? -r : r) % 100, substr($0, 9) }
		/^memhog: / { printf "NPVM: INFO %s: %s\n", sc, $0 }'
	SHOWN=$n
}

for n in $(np_nodes); do np_info "node$n cpus=$(np_node_cpus $n)"; done
mig0=$(np_vmstat pgmigrate_success)
numa0=$(np_vmstat numa_pages_migrated)
np_write_conf 'policy = { numa_balancing = "coexist"; };'
# Times count from bal_cs, when balancing goes on: np_start_placer turns it
# on first thing (kernel, coexist), but for numaplaced it sets
# NP_PLACER_START only after the daemon's 1 s startup check, by when the
# kernel has begun to migrate.
bal_cs=$(np_now_cs)
[ "$NP_PLACER" = kernel ] || [ "$NP_PLACER" = coexist ] ||
	echo 1 >/proc/sys/kernel/numa_balancing || np_fail_now "cannot enable numa_balancing"
np_start_placer
np_info "kernel.numa_balancing=$(cat /proc/sys/kernel/numa_balancing) at placer start"
[ "$(cat /proc/sys/kernel/numa_balancing)" = 1 ]
np_check $? "kernel.numa_balancing is not 1 after the placer started"

duration=${NP_DURATION:-60}
while :; do
	show_new "$SHOWN"
	kill -0 "$pid" 2>/dev/null || break
	[ $(($(np_now_cs) - bal_cs)) -ge $((duration * 100)) ] && break
	sleep "$NP_POLL"
done
mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
numa=$(( $(np_vmstat numa_pages_migrated) - numa0 ))
sleep 1   # the report due at the end of the watch
show_new "$SHOWN"
probe "$pid" | sed 's/^/NPVM: INFO probe end /'
np_info "kernel.numa_balancing=$(cat /proc/sys/kernel/numa_balancing) at the end"
case $NP_PLACER in numaplaced | coexist)
	np_ctl_to /tmp/ctl.show show "$pid" && sed 's/^/NPVM: INFO show /' /tmp/ctl.show ;;
esac

# Over the reports with 0 < t_placer <= duration: the first one with
# local_bp >= 9500 and whether none after it fell below; final and mean
# local_bp; MiB/s weighted by each report's span over t_placer <= 10 s and
# > duration - 20 s (and before the placer started, for reference).
set -- $(awk -v off=$((bal_cs - ready_cs)) -v dur=$((duration * 100)) '
	function s(cs) { return sprintf("%d.%02d", cs / 100, cs % 100) }
	/^THREADS / {
		t = substr($2, 3) + 0; bp = substr($3, 10) + 0; mib = substr($4, 7) + 0
		dt = t - prev; prev = t; r = t - off
		if (r <= 0) { mb += mib * dt; db += dt; bbp = bp; next }
		if (r > dur) next
		n++; sum += bp; fin = bp; per = substr($5, 5)
		if (t95 == "" && bp >= 9500) t95 = r
		if (t95 != "" && bp < 9500) broke = 1
		if (r <= 1000) { m10 += mib * dt; d10 += dt }
		if (r > dur - 2000) { m20 += mib * dt; d20 += dt }
	}
	END {
		printf "%s %s %d %d %s %s %s %s %d %s\n", t95 == "" ? "never" : s(t95),
			t95 == "" ? "no" : (broke ? "no" : "yes"), fin, n ? sum / n : 0,
			d10 ? sprintf("%.1f", m10 / d10) : "n/a", d20 ? sprintf("%.1f", m20 / d20) : "n/a",
			db ? sprintf("%.1f", mb / db) : "n/a", bbp == "" ? "n/a" : bbp, n, per == "" ? "none" : per
	}' "$out")
t95=$1 held=$2 final_bp=$3 mean_bp=$4 mib10=$5 mib20=$6 mibb=$7 before_bp=$8 reports=$9 final_per=${10}
# time_to_95_s and final_local_pct are the names compare.sh reads (here
# per-thread locality, not the probe's aggregate).
final_pct=$(awk -v b="$final_bp" 'BEGIN { printf "%.2f", b / 100 }')
np_metric "time_to_95_s=$t95 final_local_pct=$final_pct t_local_9500_s=$t95 held_9500_to_end=$held final_local_bp=$final_bp mean_local_bp=$mean_bp before_local_bp=$before_bp pages_migrated=$mig numa_pages_migrated=$numa mib_s_first10=$mib10 mib_s_last20=$mib20 mib_s_before=$mibb reports=$reports placer_cpu_s=$(np_placer_cpu_s) duration_s=$duration"
np_info "final per-thread (thread:node:bp): $final_per"
# numaplaced beside the kernel (coexist, or numaplaced given the coexist
# config with balancing on here) must have bound each busy thread to a
# node of its own (plan.h rule 7): four workers, four different
# single-node CPU sets, and the threads ended local.
if [ "$NP_PLACER" = coexist ] || [ "$NP_PLACER" = numaplaced ]; then
	sets=""
	for st in /proc/$pid/task/*/status; do
		# The main thread only sleeps and reports: it gets the union.
		[ "${st%/status}" = "/proc/$pid/task/$pid" ] && continue
		sets="$sets $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$st")"
	done
	np_info "worker affinities:$sets"
	distinct=$(echo $sets | tr ' ' '\n' | sort -u | wc -l)
	[ "$distinct" -ge 4 ]
	np_check $? "the busy threads are not bound apart (affinities:$sets)"
	grep -q 'busy threads bound one to a node' "$NP_DAEMON_LOG"
	np_check $? "numaplaced did not log binding the threads one to a node"
	[ "$final_bp" -ge 9500 ]
	np_check $? "per-thread locality $final_bp bp at the end, below 9500"
	grep -q 'placed: each busy thread bound to a node of its own' /tmp/ctl.show
	np_check $? "show does not say the threads are placed apart"
fi
kill -0 "$pid" 2>/dev/null; np_check $? "the spanning memhog died: $(tail -n 3 "$out" | tr '\n' '|')"
np_placer_alive; np_check $? "placer died"
np_finish "placer $NP_PLACER mean local_bp $mean_bp, final $final_bp, $mig pages migrated"
