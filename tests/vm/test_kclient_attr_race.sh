#!/bin/bash
# Attributes read before a change and answered after it never overwrite
# the change: the fake server holds the reply to a GETATTR (a stat) and
# sends it, with the mode as it was, half a second after it has answered
# the chmod that came next. The mode the client shows right afterwards,
# from its attribute cache, must be the new one.
set -u
. "$LEOFS_SRC/tests/vm/kclient_lib.sh"

port=7300
kfake_start $port late GETATTR 1
mount -t leofs -o timeo=10,acregmin=10,acregmax=10,acdirmin=60,acdirmax=60 \
	127.0.0.1:$port:/ "$MNT" || fail "mount"
touch "$MNT/f" && chmod 644 "$MNT/f" || fail "create f"
sleep 10.5 # f's attributes expire, its name does not
stat -c %a "$MNT/f" > /tmp/race.stat 2>&1 &
bg=$!
for _ in $(seq 50); do
	grep -q "holding the GETATTR" /tmp/kfake.$port.log && break
	sleep 0.1
done
grep -q "holding the GETATTR" /tmp/kfake.$port.log ||
	fail "the server holds no GETATTR: $(cat /tmp/kfake.$port.log)"
kill -0 $bg 2>/dev/null || fail "stat returned without its reply"
chmod 600 "$MNT/f" || fail "chmod"
wait $bg || fail "stat: $(cat /tmp/race.stat)"
grep -q "sending the held reply" /tmp/kfake.$port.log ||
	fail "the held reply was not sent"
echo "stat during the chmod: $(cat /tmp/race.stat)"
got=$(stat -c %a "$MNT/f")
[ "$got" = 600 ] ||
	fail "mode $got after chmod 600: an answer older than the change was applied"
umount "$MNT" || fail "umount"
kfake_stop_all
echo "attribute race: ok"
