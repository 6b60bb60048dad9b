#!/bin/bash
# leofs-oss with the userspace file client: 6 OSS on 127.0.0.1 (round trips
# in every layout are in test_oss_layouts.sh).
#  - truncate inside a stripe zeroes its tail: an extension reads zeros;
#  - degraded reads: kill -9 up to M nodes, every byte still reads; one more
#    and the affected reads fail clearly, never with wrong data;
#  - corruption: flipped bits in object files are reconstructed and counted;
#  - the nodes' STATUS to the service manager (NOTIFY_SOCKET, here a
#    socket the test reads) counts the degraded reads and checksum errors;
#  - SIGTERM drains and exits 0.
. "$(dirname "$0")/lib.sh"

NODES=${OSS_NODES:-6}
UUID=0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
declare -a PORT

setup() {
	it_oss_static_cluster $NODES $UUID "$MAP"
}

start() {
	it_start "oss$1" "$BIN/leofs-oss" --config "$IT_DIR/oss$1.json"
}

# every node's sd_notify() messages, one per line, into $IT_DIR/notify.log
export NOTIFY_SOCKET=$IT_DIR/notify.sock
it_start notify python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        f.flush()
' "$NOTIFY_SOCKET" "$IT_DIR/notify.log"
for ((i = 0; i < 100; i++)); do [ -S "$NOTIFY_SOCKET" ] && break; sleep 0.05; done

# status_shows REGEX: a STATUS matching REGEX arrives within 10 s
status_shows() {
	for ((i = 0; i < 100; i++)); do
		grep -Eq "STATUS=.*$1" "$IT_DIR/notify.log" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no node's STATUS shows '$1': $(tail -3 "$IT_DIR/notify.log")"
}

setup
for ((i = 1; i <= NODES; i++)); do start $i; done
for ((i = 1; i <= NODES; i++)); do it_wait_port "${PORT[$i]}"; done

# truncate: the tail of the last stripe reads as zeros after an extension
ino=500
for s in r1 r2 r3 ec2+1 ec4+1 ec4+2; do
	"$IO" "$MAP" $UUID truncate $s 65536 $ino || fail "truncate $s"
	ino=$((ino + 1))
done
echo "truncate ok"

# degraded: EC 4+2 data, then kill 2 nodes
"$IO" "$MAP" $UUID write 77 ec4+2 65536 12345 3000000 77 || fail "write ec4+2"
"$IO" "$MAP" $UUID write 78 r3 65536 0 2000000 78 || fail "write r3"
it_kill9 oss2
it_kill9 oss5
"$IO" "$MAP" $UUID verify 77 ec4+2 65536 12345 3000000 77 || fail "degraded read, 2 down"
"$IO" "$MAP" $UUID verify 78 r3 65536 0 2000000 78 || fail "replica read, 2 down"
status_shows "degraded reads [1-9]"
it_kill9 oss3
out=$("$IO" "$MAP" $UUID verify 77 ec4+2 65536 12345 3000000 77 2>&1) && \
	fail "a read with 3 of 6 nodes down succeeded for a 4+2 file"
echo "$out" | grep -q "differs" && fail "wrong data with too many nodes down: $out"
echo "3 down: $(echo "$out" | tail -1)"
start 2; start 3; start 5
for i in 2 3 5; do it_wait_port "${PORT[$i]}"; done
sleep 2.5 # the client's and the servers' memory of down nodes
"$IO" "$MAP" $UUID verify 77 ec4+2 65536 12345 3000000 77 || fail "read after restart"
echo "degraded ok"

# corruption: flip a byte in every data file of ino 79 on node 1's target
"$IO" "$MAP" $UUID write 79 ec4+1 65536 0 2000000 79 || fail "write ec4+1"
before=$("$IO" "$MAP" $UUID statfs 10)
n=0
for f in $(find "$IT_DIR/t1/objects" -name '000000000000004f-*.d'); do
	printf '\xff' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no object of ino 79 on target 10"
"$IO" "$MAP" $UUID verify 79 ec4+1 65536 0 2000000 79 || fail "read of corrupted file"
after=$("$IO" "$MAP" $UUID statfs 10)
[ "$after" -gt "$before" ] || fail "checksum errors not counted ($before -> $after)"
echo "corruption ok: $n files flipped, checksum errors $before -> $after"
status_shows "checksum errors [1-9]"
echo "STATUS counts degraded reads and checksum errors"

for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
