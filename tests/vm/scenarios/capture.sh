#!/bin/sh
# capture: start misplaced memhogs (3 x 300 MiB first-touching node 0, then
# unpinned, plus one numactl-pinned on node 1), let them run a few seconds,
# copy the CONTENTS of the interesting /sys and /proc files into a staging
# tree and print it as a base64 tar.gz between NPVM-CAPTURE-BEGIN/END
# markers.  tests/vm/capture.sh decodes it on the host.  No placer runs.
. /scenarios/common.sh
NP_PLACER=none
pids=
for i in 1 2 3; do
	np_hog --mb 300 --threads 1 --first-touch-node 0 --name "hog$i" || np_fail_now "memhog $i"
	pids="$pids $NP_LAST_PID"
done
np_hog numactl --membind=1 --cpunodebind=1 -- --mb 128 --threads 1 --name pinned1 || np_fail_now "pinned memhog"
pids="$pids $NP_LAST_PID"
echo 64 >/sys/devices/system/node/node2/hugepages/hugepages-2048kB/nr_hugepages
sleep "${NP_CAPTURE_SETTLE:-5}"
probe $pids | sed 's/^/NPVM: INFO probe /'

st=/tmp/capture
rm -rf $st
mkdir -p $st
# copy FILE -> $st/FILE (contents only; sysfs files cannot be tarred as is
# because they report a size of 4096)
cp_content() {
	local f
	for f in "$@"; do
		[ -r "$f" ] || continue
		mkdir -p "$st$(dirname "$f")"
		cat "$f" >"$st$f" 2>/dev/null || rm -f "$st$f"
	done
}
N=/sys/devices/system/node
cp_content $N/online $N/possible $N/has_cpu $N/has_memory $N/has_normal_memory
for d in $N/node[0-9]*; do
	cp_content $d/cpulist $d/cpumap $d/distance $d/meminfo $d/numastat
	for h in $d/hugepages/hugepages-*; do
		cp_content $h/nr_hugepages $h/free_hugepages $h/surplus_hugepages
	done
done
cp_content /sys/devices/system/cpu/online /sys/devices/system/cpu/possible
cp_content /proc/vmstat /proc/uptime /proc/meminfo /proc/stat /proc/sys/kernel/numa_balancing /proc/cmdline
for p in $pids; do
	cp_content /proc/$p/stat /proc/$p/status /proc/$p/cgroup /proc/$p/numa_maps /proc/$p/maps /proc/$p/comm
	tr '\0' ' ' </proc/$p/cmdline >/tmp/cmdline.$p && mkdir -p $st/proc/$p && mv /tmp/cmdline.$p $st/proc/$p/cmdline
	for t in /proc/$p/task/*; do
		cp_content $t/stat
	done
done
{
	echo "# numaplace guest capture: 4-node qemu TCG guest, $(uname -r)"
	echo "# captured at uptime $(cut -d' ' -f1 /proc/uptime) s; no placer running; numa_balancing=$(cat /proc/sys/kernel/numa_balancing)"
	echo "# pid comm cmdline"
	for p in $pids; do echo "$p $(cat /proc/$p/comm) $(cat $st/proc/$p/cmdline)"; done
} >$st/MANIFEST
probe $pids >$st/probe.txt

# Silence kernel console messages so they cannot corrupt the base64 block.
echo 1 >/proc/sys/kernel/printk
echo "NPVM-CAPTURE-BEGIN"
tar czf - -C $st . | base64
echo "NPVM-CAPTURE-END"
np_metric "captured_files=$(find $st -type f | wc -l)"
np_finish "captured $(find $st -type f | wc -l) files"
