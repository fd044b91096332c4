#!/bin/sh
# zones: prints each node's memory zones (free/managed pages) so the guest's
# memory layout can be checked: a node whose memory sits mostly in DMA32
# (below the 4 GiB PCI hole) is nearly useless for movable user pages.
. /scenarios/common.sh
awk '/^Node/ { zone = $2 " " $4 } / managed / { print "NPVM: INFO zone " zone " managed_pages=" $2 }
     /^  pages free/ { print "NPVM: INFO zone " zone " free_pages=" $3 }' /proc/zoneinfo
np_finish "zones printed"
