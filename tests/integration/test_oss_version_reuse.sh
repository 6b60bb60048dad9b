#!/bin/bash
# A version number never names two contents, even when the primary that
# issued it died mid-write and a member that holds it was down meanwhile.
# On 6 OSS, for EC 4+2 and replica 3 (oss_io crashed-primary / crashed-new
# play the primary that dies, taking the next number it would have issued;
# its node is then killed and restarted):
#  1. a new version prepared on every member and committed on rank 1 only;
#     rank 1's node is down while the stripe is read (the read rolls the
#     version forward: it may have been acknowledged) and written again,
#     above it;
#  2. a new stripe created on rank 2 only; rank 2's node is down while the
#     stripe is written: the write takes a number above the dead one's.
# When the member comes back it is behind, and the stripe reads back as
# last written. EC 4+2 would mix fragments of two contents under one
# number; replica 3, read degraded, would return the newest number.
. "$(dirname "$0")/lib.sh"

NODES=6
UUID=5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
UNIT=65536
declare -a PORT

it_oss_static_cluster $NODES $UUID "$MAP"
start() {
	it_start "oss$1" "$BIN/leofs-oss" --config "$IT_DIR/oss$1.json"
}
back() {
	start "$1"
	it_wait_port "${PORT[$1]}"
}
restart() {
	it_kill9 "oss$1"
	back "$1"
}
io() { "$IO" "$MAP" $UUID "$@"; }
for ((i = 1; i <= NODES; i++)); do start $i; done
for ((i = 1; i <= NODES; i++)); do it_wait_port "${PORT[$i]}"; done

# scenario SCHEME K INO: the two cases above, stripes 0 and 1 of INO's
# slot 0 (oss_io files have 2 slots: file offsets 0 and 2 stripes)
scenario() {
	local scheme=$1 k=$2 ino=$3 stripe=$(($2 * UNIT)) v x out
	local -a pg
	read -r -a pg <<< "$(io pg "$scheme" $UNIT "$ino")"
	echo "$scheme: PG of ino $ino: nodes ${pg[*]}"

	# 1. prepared everywhere, committed on rank 1 only
	io write "$ino" "$scheme" $UNIT 0 $stripe 11 ||
		fail "$scheme: first write"
	v=$(io version "$scheme" $UNIT "$ino" 0) ||
		fail "$scheme: version of stripe 0"
	x=$((v + 1))
	io crashed-primary "$scheme" $UNIT "$ino" 0 $x 22 1 ||
		fail "$scheme: the crashed primary's prepare and commit"
	restart "${pg[0]}"
	it_kill9 "oss${pg[1]}"
	# it may have been acknowledged, and the live members can rebuild it
	io verify "$ino" "$scheme" $UNIT 0 $stripe 22 >/dev/null ||
		fail "$scheme: stripe 0 does not read as the version committed on rank 1"
	io write "$ino" "$scheme" $UNIT 0 $stripe 33 ||
		fail "$scheme: write with rank 1 down"
	grep -q "rolled forward version $x " "$IT_DIR/oss${pg[0]}.log" ||
		fail "$scheme: the primary did not roll version $x forward"
	v=$(io version "$scheme" $UNIT "$ino" 0)
	[ "$v" -gt "$x" ] || fail "$scheme: version $v is not above $x"
	back "${pg[1]}"
	out=$(io verify "$ino" "$scheme" $UNIT 0 $stripe 33) ||
		fail "$scheme: stripe 0 does not read back as last written"
	# EC reads rank 1's fragment: behind, so the read goes degraded
	if [ "$k" -gt 1 ] && [ "$out" != "degraded_reads 1" ]; then
		fail "$scheme: rank 1 was read at its old version: $out"
	fi

	# 2. a new stripe created on rank 2 only
	x=$((v + 1))
	io crashed-new "$scheme" $UNIT "$ino" 1 $x 44 2 ||
		fail "$scheme: the crashed primary's create"
	restart "${pg[0]}"
	it_kill9 "oss${pg[2]}"
	io write "$ino" "$scheme" $UNIT $((2 * stripe)) $stripe 55 ||
		fail "$scheme: write of stripe 1 with rank 2 down"
	v=$(io version "$scheme" $UNIT "$ino" 1)
	[ "$v" -gt "$x" ] || fail "$scheme: version $v is not above $x"
	back "${pg[2]}"
	# copies read rank 0 only: without it the read settles the version
	# among ranks 1 and 2
	[ "$k" -gt 1 ] || it_kill9 "oss${pg[0]}"
	out=$(io verify "$ino" "$scheme" $UNIT $((2 * stripe)) $stripe 55) ||
		fail "$scheme: stripe 1 does not read back as written"
	if [ "$k" -gt 1 ]; then
		[ "$out" = "degraded_reads 1" ] ||
			fail "$scheme: rank 2 was read at the dead number: $out"
	else
		back "${pg[0]}"
	fi
	echo "$scheme: ok"
}

scenario ec4+2 4 1000
scenario r3 1 2000
echo "ok: no version number is used twice for different bytes"
