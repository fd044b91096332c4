#!/bin/sh
# misplaced: 3 busy memhogs (300 MiB) first-touch node 0 and are unpinned.
# numaplaced must make each >= 99% local within the deadline without
# migrating more than 5% beyond the remote pages.  See np_misplaced_body.
. /scenarios/common.sh
np_misplaced_body 0
