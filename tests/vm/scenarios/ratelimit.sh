#!/bin/sh
# ratelimit: one busy 240 MiB hog first-touches node 0 (a blocker keeps it
# off node 0) and numaplaced moves it under actuator.migrate_mb_per_s = 8,
# well below what the guest copies (~25 MB/s per copy). /proc/vmstat's
# pgmigrate_success is read every 0.5 s; every whole 10 s window from the
# first migrated page to the last must have moved 8 MiB/s within 10%.
. /scenarios/common.sh
[ "$NP_PLACER" = numaplaced ] || np_fail_now "ratelimit measures numaplaced's own limit"
RATE=8
np_topology
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker"
np_hog --mb 240 --threads 1 --first-touch-node 0 --name hog1 || np_fail_now "memhog"
pid=$NP_LAST_PID
# noderate sets NP_RATELIMIT_CONF: the same measurement under the
# per-node cap alone.
conf="actuator = { migrate_mb_per_s = $RATE; };"
np_write_conf "${NP_RATELIMIT_CONF:-$conf}"
base=$(np_vmstat pgmigrate_success)
trace=/tmp/ratelimit.trace
: >"$trace"
np_start_placer
# Time (centiseconds since start) and pages migrated, until the hog is
# local or the deadline.
# 240 MiB at 8 MiB/s is 30 s of copying after ~2 intervals of evidence.
deadline=8000
while :; do
	now=$(($(np_now_cs) - NP_PLACER_START))
	echo "$now $(($(np_vmstat pgmigrate_success) - base))" >>"$trace"
	set -- $(np_locality $pid)
	[ "$3" -ge 9900 ] && break
	[ "$now" -ge "$deadline" ] && break
	sleep 0.5
done
set -- $(np_locality $pid)
np_check $([ "$3" -ge 9900 ]; echo $?) "hog not local by the deadline ($(np_bp_to_pct $3)%)"
# Windows of 10 s from the first reading with pages moved; only whole
# windows before the last reading that still saw progress count.
result=$(awk -v rate="$RATE" '
	{ t[NR] = $1; p[NR] = $2; n = NR }
	END {
		for (i = 1; i <= n && p[i] == 0; i++) ;
		if (i > n) { print "FAIL no pages migrated"; exit }
		first = i > 1 ? i - 1 : 1
		for (j = n; j > 1 && p[j] == p[j - 1]; j--) ;
		last = j
		total_mib = (p[last] - p[first]) * 4 / 1024
		secs = (t[last] - t[first]) / 100
		out = sprintf("overall %.1f MiB in %.1f s = %.2f MiB/s;", total_mib, secs, secs > 0 ? total_mib / secs : 0)
		bad = 0; windows = 0; start = first
		for (k = first; k <= last; k++) {
			if (t[k] - t[start] >= 1000) {
				mib = (p[k] - p[start]) * 4 / 1024; s = (t[k] - t[start]) / 100
				r = mib / s; windows++
				out = out sprintf(" window %d: %.2f MiB/s (%.2fx)", windows, r, r / rate)
				if (r < rate * 0.9 || r > rate * 1.1) bad = 1
				start = k
			}
		}
		if (windows == 0) bad = 1
		print (bad ? "FAIL " : "OK ") windows " " out
	}' "$trace")
np_info "rate: $result"
set -- $result
np_metric "rate_limit_mib_s=$RATE windows=$2 $(echo "$result" | cut -d' ' -f3- | tr -s ' ;:' '_' | cut -c1-400)"
[ "$1" = OK ]; np_check $? "migration rate off the limit: $result"
np_finish "moved at $RATE MiB/s within 10% over every 10 s window ($2 windows)"
