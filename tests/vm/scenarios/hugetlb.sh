#!/bin/sh
# hugetlb: like misplaced, with 2 MiB hugetlb memory reserved per node.
. /scenarios/common.sh
np_misplaced_body 1
