#!/bin/bash
# A server that sends malformed, truncated, oversized, wrong-CRC frames,
# replies to unknown ids or with unknown opcodes, or stalls, leaves the
# module working and unloadable: the mount or the operation fails cleanly
# or succeeds after a reconnect, never an oops or a hang.
set -u
. "$LEOFS_SRC/tests/vm/kclient_lib.sh"

port=7200
# Misbehave on the first LOOKUP after mounting: stat must return (an error
# or, after the client reconnects and sends the request again, ENOENT).
for mode in garbage truncated oversized big badcrc unknown-id unknown-op \
	wrong-op badbody badpush stall close; do
	port=$((port + 1))
	kfake_start $port "$mode" LOOKUP 1
	mount -t leofs -o timeo=2,retrans=1 127.0.0.1:$port:/ "$MNT" ||
		fail "$mode: mount failed"
	start=$(date +%s)
	timeout 30 stat "$MNT/nothing-here" > /tmp/stat.out 2>&1
	rc=$?
	el=$(( $(date +%s) - start ))
	[ $rc = 124 ] && fail "$mode: stat hung"
	echo "$mode: stat -> $(tail -n1 /tmp/stat.out) (${el}s)"
	# afterwards the mount works again
	timeout 30 ls "$MNT/big" | wc -l | grep -q '^1000$' || fail "$mode: mount unusable afterwards"
	timeout 30 umount "$MNT" || fail "$mode: umount"
	kfake_stop_all
done

# Misbehave during the mount itself (HELLO, MAP_GET, GETATTR of the root):
# the mount fails within the timeout.
for spec in "garbage HELLO" "truncated HELLO" "badcrc HELLO" "unknown-id HELLO" \
	"badbody HELLO" "oversized MAP_GET" "badmap MAP_GET" "badbody MAP_GET" \
	"stall MAP_GET" "wrong-op GETATTR" "close GETATTR" "badpush GETATTR"; do
	set -- $spec
	port=$((port + 1))
	kfake_start $port "$1" "$2" 1000
	start=$(date +%s)
	timeout 60 mount -t leofs -o timeo=2,retrans=1 127.0.0.1:$port:/ "$MNT" 2>/dev/null
	rc=$?
	el=$(( $(date +%s) - start ))
	[ $rc = 124 ] && fail "$spec: mount hung"
	if [ $rc = 0 ]; then
		# a push or a late frame may be harmless for the mount itself
		echo "$spec: mounted (${el}s); server log: $(tail -n1 /tmp/kfake.$port.log)"
		timeout 30 umount "$MNT" || fail "$spec: umount"
	else
		echo "$spec: mount failed cleanly (${el}s)"
	fi
	[ $el -le 20 ] || fail "$spec: took ${el}s"
	kfake_stop_all
done

# A MKDIR answered with the root's attributes (a new directory that is one
# the client has already): refused, and nothing hangs afterwards.
port=$((port + 1))
kfake_start $port root-attr MKDIR 1
mount -t leofs -o timeo=2,retrans=1 127.0.0.1:$port:/ "$MNT" || fail "root-attr: mount failed"
timeout 30 mkdir "$MNT/a" 2> /tmp/mkdir.out
rc=$?
[ $rc = 124 ] && fail "root-attr: mkdir hung"
[ $rc = 0 ] && fail "root-attr: a new directory that is the root was accepted"
echo "root-attr: mkdir -> $(cat /tmp/mkdir.out)"
timeout 30 rmdir "$MNT/a" 2> /dev/null
[ $? = 124 ] && fail "root-attr: rmdir hung"
timeout 30 ls "$MNT/big" | wc -l | grep -q '^1000$' || fail "root-attr: mount unusable afterwards"
timeout 30 umount "$MNT" || fail "root-attr: umount"
kfake_stop_all

# A server killed with requests in flight: they fail, umount does not hang.
port=$((port + 1))
kfake_start $port stall LOOKUP 1000
mount -t leofs -o timeo=3,retrans=0 127.0.0.1:$port:/ "$MNT" || fail "mount (kill test)"
(timeout 30 stat "$MNT/a" >/dev/null 2>&1; echo $? > /tmp/stat.rc) &
sleep 1
kfake_stop_all
wait
[ "$(cat /tmp/stat.rc)" = 124 ] && fail "stat hung after the server died"
timeout 30 umount "$MNT" || fail "umount after the server died"

dmesg | grep -E "connection dropped" | sort | uniq -c | head -20
grep -q . /dev/null
echo "bad server: ok"
