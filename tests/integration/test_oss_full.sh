#!/bin/bash
# Full targets: 5 OSS whose targets share a small filesystem (a 48 MiB
# tmpfs when run as root, else the reserve of each target set so that only
# that much of its filesystem is usable). Writes fail with a clear "no
# space" status, a new stripe refused for lack of space on one member is
# dropped from the others, and an overwrite refused for lack of space
# leaves the previous data readable, byte for byte.
. "$(dirname "$0")/lib.sh"

NODES=5
UUID=3c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
SPACE=$((48 << 20))
FS=$IT_DIR/fs
declare -a PORT

mkdir -p "$FS"
mounted=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=$SPACE leofs-full "$FS" 2> /dev/null; then
	mounted=1
	reserve=0
	echo "targets on a $((SPACE >> 20)) MiB tmpfs"
else
	reserve=$(($(stat -f -c '%a * %S' "$FS") - SPACE))
	echo "targets with a reserve of $reserve bytes"
fi
cleanup() {
	local i
	for ((i = 1; i <= NODES; i++)); do it_kill9 "oss$i"; done
	if [ $mounted = 1 ]; then umount "$FS"; fi
	it_cleanup
}
trap cleanup EXIT

it_oss_static_cluster --dir "$FS" --reserve "$reserve" $NODES $UUID "$MAP"
it_oss_start $NODES

# one full member: a new stripe it refuses is undone on the four that
# took it, so a later partial write into that stripe is not refused as
# degraded once the member has room again
restart_oss5() { # RESERVE
	it_stop oss5
	sed -i "s/\"reserve_bytes\": [0-9]*/\"reserve_bytes\": $1/" "$IT_DIR/oss5.json"
	it_start oss5 "$BIN/leofs-oss" --config "$IT_DIR/oss5.json"
	it_wait_port "${PORT[5]}"
}
restart_oss5 $((1 << 50))
out=$("$IO" "$MAP" $UUID write 800 ec4+1 65536 0 262144 800 2>&1) &&
	fail "a new stripe was acknowledged with a member out of space"
echo "$out" | grep -q "No space left on device" ||
	fail "a write with a full member failed without a no-space status: $out"
grep -q "refused new stripe" "$IT_DIR"/oss*.log &&
	fail "the refused stripe was not undone: $(grep "refused new stripe" "$IT_DIR"/oss*.log)"
restart_oss5 "$reserve"
"$IO" "$MAP" $UUID write 800 ec4+1 65536 4096 10000 801 ||
	fail "a partial write into the refused stripe failed"
"$IO" "$MAP" $UUID verify 800 ec4+1 65536 4096 10000 801 ||
	fail "the partial write into the refused stripe reads back wrong"
echo "a refused new stripe was undone"

# files written while there is room
"$IO" "$MAP" $UUID write 600 ec4+1 65536 0 3000000 600 || fail "write ec4+1"
"$IO" "$MAP" $UUID write 601 r2 65536 0 1000000 601 || fail "write r2"

# fill: ever smaller writes until even 4 KiB ones are refused; a refused
# write leaves nothing behind, so the next, smaller one goes to the same
# file
ino=700
files=0
for sz in 4194304 262144 16384 4096; do
	for ((n = 0; n < 200; n++)); do
		out=$("$IO" "$MAP" $UUID write $ino ec4+1 65536 0 $sz $ino 2>&1) || break
		files=$((files + 1))
		ino=$((ino + 1))
	done
	[ $n -lt 200 ] || fail "200 writes of $sz bytes fit in $((SPACE >> 20)) MiB"
	echo "$out" | grep -q "No space left on device" ||
		fail "a write to full targets failed without a no-space status: $out"
done
echo "full after $files files: $(echo "$out" | tail -1)"

# overwrites of the earlier files are refused, and leave them intact
for args in "600 ec4+1 65536 100000 1500000" "601 r2 65536 4000 500000"; do
	out=$("$IO" "$MAP" $UUID write $args 9999 2>&1) &&
		fail "an overwrite ($args) succeeded on full targets"
	echo "$out" | grep -q "No space left on device" ||
		fail "an overwrite on full targets failed without a no-space status: $out"
done
"$IO" "$MAP" $UUID verify 600 ec4+1 65536 0 3000000 600 ||
	fail "ec4+1 file changed by a refused overwrite"
"$IO" "$MAP" $UUID verify 601 r2 65536 0 1000000 601 ||
	fail "r2 file changed by a refused overwrite"
echo "refused overwrites left the files intact"

for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
