#!/bin/bash
# leofs-oss round trips in every layout, through the userspace file client:
# 11 OSS on 127.0.0.1 (EC 8+3 needs 11 nodes). Replica 1/2/3 and EC 2+1,
# 4+1, 4+2, 8+3; sizes 0 B .. 64 MiB; each file written whole, verified,
# overwritten at an unaligned offset and verified byte for byte again.
. "$(dirname "$0")/lib.sh"

NODES=11
UUID=5d0e3f1a-2b6c-4d8e-9f10-a1b2c3d4e5f6
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
declare -a PORT

it_oss_static_cluster $NODES $UUID "$MAP"

it_oss_start $NODES

for s in r1 r2 r3 ec2+1 ec4+1 ec4+2 ec8+3; do
	t0=$(date +%s.%N)
	"$IO" "$MAP" $UUID roundtrip $s 65536 || fail "round trip $s"
	printf 'round trip %s ok (%.1f s)\n' $s "$(echo "$(date +%s.%N) - $t0" | bc)"
done
# a stripe unit that is not the default, and a replica unit of 1 MiB
"$IO" "$MAP" $UUID roundtrip ec4+2 262144 100000 || fail "round trip ec4+2, 256 KiB unit"
"$IO" "$MAP" $UUID roundtrip r3 1048576 100100 || fail "round trip r3, 1 MiB unit"

for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
