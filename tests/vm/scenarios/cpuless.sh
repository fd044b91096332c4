#!/bin/sh
# vm: --nodes 4 --cpuless 1
# cpuless: memory on a node without CPUs. Nodes 0-2 have one CPU each,
# node 3 none; three busy 300 MiB memhogs first touch node 3, so all of
# their memory is remote whatever CPU they run on. numaplaced must place
# each with a CPU node and move its memory there (no blocker: every CPU
# node is a fine home). With numaplaced: each hog >= 99% local within the
# deadline, pages migrated <= 1.05x the remote pages. Other placers:
# metrics only (run with --placer kernel for the ratio).
. /scenarios/common.sh
NP_BLOCKER=0 NP_FIRST_TOUCH_NODE=3 np_misplaced_body 0
