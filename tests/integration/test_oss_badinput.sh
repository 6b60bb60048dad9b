#!/bin/bash
# Bad input to leofs-oss: garbage, oversize lengths, bad CRCs, unknown
# opcodes, malformed bodies of every storage request, peers that stall
# half-way through a frame or send nothing at all, and a peer that never
# reads its replies. Each
# gets an error status or a closed connection, and the daemons keep
# serving: a file written before reads back exactly, and a new one is
# written and read, while the bad peers are at it and afterwards.
. "$(dirname "$0")/lib.sh"

NODES=3
UUID=9f8e7d6c-5b4a-4392-8180-7f6e5d4c3b2a
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
BAD=$ITBIN/oss_badpeer
declare -a PORT

# stalled peers are dropped after 1 s; 32 MiB of replies in flight at most
it_oss_static_cluster --limits '{ "max_connections": 64,
	"max_inflight_bytes": 33554432, "max_frame_size": 17825792,
	"idle_timeout_ms": 1000 }' $NODES $UUID "$MAP"
it_oss_start $NODES

"$IO" "$MAP" $UUID write 40 ec2+1 65536 0 2000000 40 || fail "write before"

"$BAD" "${PORT[1]}" cases || fail "a bad request was not refused"

# stalled peers and a peer that never reads, while a client works
"$BAD" "${PORT[1]}" stall 40 10 > "$IT_DIR/stall.out" &
stall_pid=$!
sleep 0.5
"$IO" "$MAP" $UUID verify 40 ec2+1 65536 0 2000000 40 || fail "read during stalls"
"$IO" "$MAP" $UUID write 41 r3 65536 777 3000000 41 || fail "write during stalls"
wait $stall_pid || fail "stalled peers not disconnected: $(cat "$IT_DIR/stall.out")"
cat "$IT_DIR/stall.out"

"$BAD" "${PORT[2]}" noread 20 5 > "$IT_DIR/noread.out" &
noread_pid=$!
# replies nobody reads must stay within the connection's in-flight limit
# (32 MiB here), not pile up in the daemon's memory
peak=0
while kill -0 $noread_pid 2> /dev/null; do
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$(it_pid oss2)/status")
	[ "$rss" -gt $peak ] && peak=$rss
	sleep 0.2
done
echo "oss2 peak RSS while a peer did not read: $((peak / 1024)) MiB"
"$IO" "$MAP" $UUID verify 40 ec2+1 65536 0 2000000 40 || fail "read after the peer that does not read"
[ $peak -lt $((256 * 1024)) ] ||
	fail "unread replies grew oss2 to $((peak / 1024)) MiB (limit: 32 MiB in flight)"
wait $noread_pid || fail "the peer that does not read: $(cat "$IT_DIR/noread.out")"
cat "$IT_DIR/noread.out"

for ((i = 1; i <= NODES; i++)); do
	kill -0 "$(it_pid oss$i)" 2> /dev/null || fail "oss$i died"
done
"$IO" "$MAP" $UUID verify 40 ec2+1 65536 0 2000000 40 || fail "read after"
"$IO" "$MAP" $UUID verify 41 r3 65536 777 3000000 41 || fail "read of the new file after"

# A member that is up but never settles: oss3's port answers every request
# with AGAIN. Reads of a file whose data has a fragment there fall back to
# DEGRADED_READ at oss1 and oss2, which read through it round after round:
# the read fails with an error, never wrong data, and nobody dies.
for ((ino = 50; ino < 80; ino++)); do
	read -r -a pg <<< "$("$IO" "$MAP" $UUID pg ec2+1 65536 $ino)"
	[ "${pg[0]}" = 3 ] || [ "${pg[1]}" = 3 ] && break
done
[ $ino -lt 80 ] || fail "no file with a data fragment on oss3"
"$IO" "$MAP" $UUID write $ino ec2+1 65536 0 300000 $ino || fail "write of $ino"
it_stop oss3
it_start again "$BAD" "${PORT[3]}" again
it_wait_port "${PORT[3]}"
if "$IO" "$MAP" $UUID verify $ino ec2+1 65536 0 300000 $ino > "$IT_DIR/again.out" 2>&1; then
	fail "a read through a member that answers only AGAIN succeeded: $(cat "$IT_DIR/again.out")"
fi
cat "$IT_DIR/again.out"
grep -q "^read ino $ino" "$IT_DIR/again.out" || fail "not a read error: $(cat "$IT_DIR/again.out")"
for i in 1 2; do
	kill -0 "$(it_pid oss$i)" 2> /dev/null || fail "oss$i died reading through the AGAIN member"
done
it_kill9 again
it_start oss3 "$BIN/leofs-oss" --config "$IT_DIR/oss3.json"
it_wait_port "${PORT[3]}"
"$IO" "$MAP" $UUID verify $ino ec2+1 65536 0 300000 $ino || fail "read of $ino with oss3 back"

for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
