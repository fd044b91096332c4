#!/bin/sh
# wellplaced: one busy memhog per node, each first-touching its own node;
# unpinned but local.  A placer must leave them alone: no pages migrated
# (pgmigrate_success unchanged, small slack for kernel noise) and
# affinity/cgroup unchanged, except a drift bind: a hog the watcher saw
# run off its node may be bound back to its own node's CPUs (mems, cgroup
# and pages untouched).
# Why 2 CPUs per node: with single-CPU nodes the guest scheduler (NUMA
# balancing off) swaps busy unpinned threads between nodes within seconds,
# so "unpinned but local" does not last; with two CPUs per node the
# threads stay within their node.  Why taskset first: while the hogs start
# one after the other the scheduler may spread them anywhere; each hog
# starts under taskset on its node (memhog restores that inherited affinity
# after first touch) and all are unpinned once all four run.
# Even so the guest scheduler sometimes runs a hog on another node for many
# seconds (seen: 1 run in 12, over 6 s).  Such a hog is no longer well
# placed, and binding it back to its memory is right.  So a watcher records
# every 0.5 s where each hog's running thread is; a run in which a hog whose
# placement changed had been away from its node for as long as numaplaced
# needs to act tests something else, and is run again (up to 3 times).
# That least stay is planner.confirm_seconds (5 s) unbroken, with the
# thread sampler's evidence (the default); without it (sampling off) it is
# 2 intervals (found remote planner.confirm_cycles = 3 times, cycles at
# least an interval apart).  The watcher's samples may see the stay start
# late and end early by one sample gap each, so the least stay is read as
# that less two of its largest gaps.  A change after a shorter stay away
# fails the scenario.
# vm: --cpus-per-node 2
. /scenarios/common.sh
np_topology
NP_CONFIRM_CS=500   # planner.confirm_seconds (default 5 s), in centiseconds

# cpu -> node map, one "cpu node" line each (cpulists like "0-1,4").
for n in $(np_nodes); do
	np_node_cpus "$n" | tr ',' '\n' | awk -v n="$n" -F- '{ hi = NF > 1 ? $2 : $1; for (c = $1; c <= hi; c++) print c, n }'
done >/tmp/cpunode

# Every 0.5 s until /tmp/watch.stop exists: "cs pid node cpus_allowed" for
# each pid; node of its running ('R') thread, "-" when none runs. One awk
# for the whole watch (one usleep a round): a watcher forking a few
# processes per pid each round moved the hogs between nodes itself.
home_watch() {
	local p files=
	for p in "$@"; do files="$files /proc/$p/status $(echo /proc/$p/task/*/stat)"; done
	awk -v files="$files" '
		function slurp(f,   line, all) {
			all = ""
			while ((getline line < f) > 0) all = all line "\n"
			close(f)
			return all
		}
		BEGIN {
			while ((getline line < "/tmp/cpunode") > 0) { split(line, x, " "); node[x[1]] = x[2] }
			close("/tmp/cpunode")
			nf = split(files, f, " ")
			while (1) {
				if ((getline stop < "/tmp/watch.stop") >= 0) exit
				split(slurp("/proc/uptime"), up, " ")
				t = int(up[1] * 100)
				for (i = 1; i <= nf; i++) {
					text = slurp(f[i])
					if (f[i] ~ /status$/) {
						split(f[i], pp, "/"); pid = pp[3]; run[pid] = "-"
						match(text, /Cpus_allowed_list:[ \t]*[^\n]*/)
						allowed[pid] = substr(text, RSTART, RLENGTH)
						sub(/Cpus_allowed_list:[ \t]*/, "", allowed[pid])
						order[++n] = pid
						continue
					}
					sub(/.*\) /, "", text)
					split(text, fld, " ")
					if (fld[1] == "R") run[pid] = node[fld[37]]
				}
				for (k = 1; k <= n; k++) print t, order[k], run[order[k]], allowed[order[k]]
				n = 0
				fflush()
				system("usleep 500000")
			}
		}'
}

# Longest stretch (cs) PID ran off node HOME before its affinity first
# changed from ALL (or in the whole watch if it never changed). A sample
# with no running thread ("-") says nothing: it neither ends a stretch nor
# extends it.
away_before_change() { # PID HOME ALL
	awk -v p="$1" -v home="$2" -v all="$3" '
		$2 != p { next }
		$4 != all { exit }
		$3 == "-" { next }
		$3 != home { if (start == "") start = $1; if ($1 - start > best) best = $1 - start; next }
		{ start = "" }
		END { print best + 0 }' /tmp/watch.log
}

# Largest gap (cs) between two of the watcher's samples of PID.
largest_watch_gap() { # PID
	awk -v p="$1" '$2 == p { if (last != "" && $1 - last > gap) gap = $1 - last; last = $1 }
		END { print gap + 0 }' /tmp/watch.log
}

# Samples in which PID ran off node HOME before its affinity first changed
# from ALL.
away_samples_before_change() { # PID HOME ALL
	awk -v p="$1" -v home="$2" -v all="$3" '
		$2 != p { next }
		$4 != all { exit }
		$3 != "-" && $3 != home { n++ }
		END { print n + 0 }' /tmp/watch.log
}

# Whether every difference in DIFF (np_same_placement's lines) is a drift
# bind: the hog's CPUs bound to its own node's, mems and cgroup as before,
# after the watcher saw it run off that node (planner.drift_share: away
# 10% of its CPU time over confirm_seconds binds it back, CPUs only). A
# bind of a hog never seen away, a bind elsewhere or lost pages are not.
drift_binds_only() { # DIFF; uses $homes and $all
	local line p n
	while read -r line; do
		case $line in
		*"affinity/cgroup changed"*) ;;
		*) return 1 ;;
		esac
		p=$(echo "$line" | awk '{ print $2 }')
		n=
		for h in $homes; do [ "${h%:*}" = "$p" ] && n=${h#*:}; done
		[ -n "$n" ] || return 1
		# "[pid cpus mems cgroup kb] -> [pid cpus mems cgroup kb]"
		echo "$line" | awk -v want="$(np_node_cpus "$n")" -F'[][]' '
			{ split($2, o, " "); split($4, q, " ")
			  exit !(q[2] == want && q[3] == o[3] && q[4] == o[4]) }' || return 1
		[ "$(away_samples_before_change "$p" "$n" "$all")" -ge 1 ] || return 1
	done <<EOF2
$1
EOF2
}

attempt() { # attempt N: 0 pass, 1 fail, 2 inconclusive (a hog left its node)
	local num=$1 n homes= pids= p i all snap0 snap1 mig0 mig diff watcher
	NP_FAILS=
	for n in $(np_nodes); do
		np_hog taskset -c "$(np_node_cpus $n)" -- --mb 200 --threads 1 --first-touch-node "$n" --name "local$n" ||
			np_fail_now "could not start memhog on node $n"
		pids="$pids $NP_LAST_PID"
		homes="$homes $NP_LAST_PID:$n"
	done
	all=$(cat /sys/devices/system/cpu/online)
	for p in $pids; do taskset -a -p -c "$all" "$p" >/dev/null; done
	# The precondition depends on the guest scheduler keeping each thread on
	# its node; give it up to 10 s to settle, else this attempt would test
	# something else (seen: 1 run in 6, a hog beside another on node 1 for
	# the whole 10 s) and the next one starts over, before any placer ran.
	i=0
	while :; do
		sleep 2
		set -- $(np_locality $pids)
		[ "$3" -ge 9900 ] && break
		i=$((i + 1))
		if [ $i -ge 5 ]; then
			probe $pids | sed 's/^/NPVM: INFO probe unsettled /'
			np_check 1 "precondition: hogs not local before the placer started (min $(np_bp_to_pct $3)%)"
			return 2
		fi
	done
	probe $pids | sed 's/^/NPVM: INFO probe before /'
	snap0=$(np_snapshot $pids)
	mig0=$(np_vmstat pgmigrate_success)
	rm -f /tmp/watch.stop /tmp/watch.log
	home_watch $pids >/tmp/watch.log &
	watcher=$!
	np_write_conf
	np_start_placer
	# Watched 60 s (np.watch_s, at least 4 intervals), as issue 9
	# measured this setup's time-averaged locality; an attempt after an
	# inconclusive one watches 4 intervals, so that three fit check-vm's
	# 240 s a boot.
	local watch_s=${NP_WATCH_S:-60}
	[ "$num" -gt 1 ] && watch_s=$((NP_INTERVAL * 4))
	[ "$watch_s" -ge $((NP_INTERVAL * 4)) ] || watch_s=$((NP_INTERVAL * 4))
	sleep "$watch_s"
	touch /tmp/watch.stop
	wait "$watcher"
	probe $pids | sed 's/^/NPVM: INFO probe after /'
	snap1=$(np_snapshot $pids)
	mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
	set -- $(np_locality $pids)
	# Time-averaged: of the watcher's samples that found a hog running,
	# the share on its own node.
	home_pct=$(awk -v homes="$homes" '
		BEGIN { n = split(homes, h, " "); for (i = 1; i <= n; i++) { split(h[i], kv, ":"); home[kv[1]] = kv[2] } }
		($2 in home) && $3 != "-" { run++; if ($3 == home[$2]) at++ }
		END { printf "%.1f", run ? 100 * at / run : 0 }' /tmp/watch.log)
	np_metric "attempt=$num pages_migrated=$mig final_local_pct=$(np_bp_to_pct $4) home_time_pct=$home_pct placer_cpu_s=$(np_placer_cpu_s)"
	np_placer_alive; np_check $? "placer died"
	[ "$mig" -le "${NP_MIGRATE_SLACK:-64}" ]; np_check $? "$mig pages migrated (expected none)"
	diff=$(np_same_placement "$snap0" "$snap1" 1024)
	if [ -n "$diff" ] && drift_binds_only "$diff"; then
		np_info "bound home after drifting (CPUs only, memory and mems untouched): $(echo "$diff" | awk '{ print $2 }' | tr '\n' ' ')"
	else
		[ -z "$diff" ]; np_check $? "placement changed: $diff"
	fi
	local aways=
	for h in $homes; do
		aways="$aways ${h#*:}:$(np_cs_to_s "$(away_before_change "${h%:*}" "${h#*:}" "$all")")"
	done
	np_info "longest time each hog ran off its node (node:s):$aways ($(wc -l </tmp/watch.log) samples)"
	[ -z "$NP_FAILS" ] && return 0
	# Failed: was a hog whose placement changed away from its node long
	# enough that it was no longer well placed?
	local away gap verdict=1
	for h in $homes; do
		p=${h%:*} n=${h#*:}
		echo "$diff" | grep -q "pid $p " || continue
		away=$(away_before_change "$p" "$n" "$all")
		gap=$(largest_watch_gap "$p")
		np_info "pid $p (local$n) ran off node $n for $(np_cs_to_s "$away") s before its placement changed (watcher's largest sample gap $(np_cs_to_s "$gap") s)"
		[ "$away" -ge $((NP_CONFIRM_CS - 2 * gap)) ] && verdict=2
	done
	return $verdict
}

n=1
while :; do
	attempt $n
	rc=$?
	[ $rc -ne 2 ] && break
	[ $n -ge 3 ] && { np_info "3 attempts, each with a hog off its node (before the placer started, or for planner.confirm_seconds)"; rc=1; break; }
	np_info "attempt $n inconclusive: a hog was no longer well placed ($NP_FAILS); starting over"
	np_dump_placer_log
	for p in $NP_PLACER_PID $NP_HOGS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	NP_PLACER_PID= NP_HOGS=
	n=$((n + 1))
done
# np_finish reports the last attempt's failed checks, if any.
np_finish "4 local hogs: 0 pages moved, no affinity written but drift binds home (attempt $n)"
