#!/bin/sh
# noderate: ratelimit with the shared rate far above what the guest copies
# (actuator.migrate_mb_per_s = 1024) and the target node's own cap at 8 MiB/s
# (actuator.node_migrate_mb_per_s): the node's bucket alone must hold the
# copy to 8 MiB/s within 10% in every whole 10 s window.
NP_RATELIMIT_CONF="actuator = { migrate_mb_per_s = 1024; node_migrate_mb_per_s = 8; };"
. /scenarios/ratelimit.sh
