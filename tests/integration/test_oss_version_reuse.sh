#!/bin/bash
# A version committed on a member that is down must not be used again for
# other bytes. EC 4+2 on 6 OSS: a stripe is written; a PG primary dies
# after preparing a new version on every member and committing it on rank
# 1 only (played by oss_io crashed-primary); rank 1's node is killed; the
# stripe is written again through the real primary, which settles the
# prepared version first (rolled forward: the live members can rebuild
# it) and writes above it. When rank 1 comes back with the version it
# committed, it is behind, and the stripe reads back as last written.
. "$(dirname "$0")/lib.sh"

NODES=6
UUID=5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
UNIT=65536
STRIPE=$((4 * UNIT))
INO=1000
declare -a PORT

it_oss_static_cluster $NODES $UUID "$MAP"
start() {
	it_start "oss$1" "$BIN/leofs-oss" --config "$IT_DIR/oss$1.json"
}
for ((i = 1; i <= NODES; i++)); do start $i; done
for ((i = 1; i <= NODES; i++)); do it_wait_port "${PORT[$i]}"; done

read -r -a pg <<< "$("$IO" "$MAP" $UUID pg ec4+2 $UNIT $INO)"
rank1=${pg[1]}
echo "PG of ino $INO: nodes ${pg[*]}; rank 1 is node $rank1"

"$IO" "$MAP" $UUID write $INO ec4+2 $UNIT 0 $STRIPE 11 || fail "first write"
"$IO" "$MAP" $UUID crashed-primary ec4+2 $UNIT $INO 2 22 1 ||
	fail "the crashed primary's prepare and commit"
it_kill9 "oss$rank1"
"$IO" "$MAP" $UUID write $INO ec4+2 $UNIT 0 $STRIPE 33 ||
	fail "write with rank 1 down"
grep -q "rolled forward version 2" "$IT_DIR/oss${pg[0]}.log" ||
	fail "the primary did not roll version 2 forward"
start "$rank1"
it_wait_port "${PORT[$rank1]}"
out=$("$IO" "$MAP" $UUID verify $INO ec4+2 $UNIT 0 $STRIPE 33) ||
	fail "the stripe does not read back as last written"
echo "$out"
# rank 1 is behind (version 2 against 3): the read goes degraded
[ "$out" = "degraded_reads 1" ] || fail "rank 1 was read at its old version: $out"
echo "ok: a version committed on a node that was down is not used again"
