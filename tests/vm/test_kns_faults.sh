#!/bin/bash
# The metadata server killed (kill -9) during a metadata workload
# (tests/vm/kns_mdsload.py: create, rename, stat, readdir, unlink, mkdir,
# rmdir) on a mount with timeo=5,retrans=1: operations fail with a clean
# error or block, none hangs; after the MDS restarts on the same port (its
# own config file in the cluster directory) the same mount works again
# without a remount, every operation that succeeded is reflected in the
# listing, and umount and rmmod succeed.
set -u
. "$LEOFS_SRC/tests/vm/kns_lib.sh"
DOWN_S=${KNS_MDS_DOWN:-15}
LOAD=/tmp/kns-mdsload.jsonl

mds_pid() { cat "$KNS_DIR/run/mds.pid"; }
wait_port() {
	local i
	for ((i = 0; i < 400; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listens on port $1"
}

kns_start
SYS=$(ls -d /sys/fs/leofs/* | head -n 1)
mkdir "$MNT/w" || fail "mkdir w"
rc0=$(cat "$SYS/reconnects")
rm -f "$LOAD.stop"
$PY "$LEOFS_SRC/tests/vm/kns_mdsload.py" run "$MNT/w" 420 "$LOAD" &
load=$!
# kill it once the workload is under way (python starts slowly when emulated)
for ((i = 0; i < 240; i++)); do
	[ -f "$LOAD" ] && [ "$(wc -l < "$LOAD")" -ge 100 ] && break
	sleep 0.5
done
[ "$(wc -l < "$LOAD" 2>/dev/null)" -ge 100 ] 2>/dev/null || fail "the workload did not start"
down=$(date +%s.%N)
kill -9 "$(mds_pid)" || fail "kill -9 the MDS"
echo "MDS killed after $(wc -l < "$LOAD") operations"
sleep "$DOWN_S"
# while it is down: a create fails cleanly or blocks, within the retry budget
t0=$SECONDS
out=$(timeout 60 touch "$MNT/while-down" 2>&1)
st=$?
[ $st = 124 ] && fail "a create blocked 60 s with the MDS down"
[ $st = 0 ] && fail "a create succeeded with the MDS down"
echo "create with the MDS down: status $st after $((SECONDS - t0)) s: $out" | head -n 2
cat "$SYS/connections"
n_down=$(wc -l < "$LOAD")
"$LEOFS_SRC/build/bin/leofs-mds" --config "$KNS_DIR/mds.json" >> "$KNS_DIR/logs/mds.log" 2>&1 &
echo $! > "$KNS_DIR/run/mds.pid"
wait_port "$LEOFS_MDS_PORT"
up=$(date +%s.%N)
echo "MDS restarted after $DOWN_S s down ($((n_down)) operations recorded so far)"
# 60 s more of workload after the restart, then it stops; an operation
# still blocked two minutes later counts as hung
sleep 60
touch "$LOAD.stop"
for ((i = 0; i < 120; i++)); do
	kill -0 $load 2>/dev/null || break
	sleep 1
done
if kill -0 $load 2>/dev/null; then
	cat /sys/kernel/debug/leofs/*/requests 2>/dev/null | head -n 20
	cat /proc/$load/stack 2>/dev/null
	kill -9 $load
	fail "the workload hung"
fi
wait $load || fail "the workload exited with an error"
echo "workload: $(wc -l < "$LOAD") operations, $(cat "$SYS/reconnects") reconnects (was $rc0)," \
	"$(cat "$SYS/retries") retries, $(cat "$SYS/timeouts") timeouts"
[ "$(cat "$SYS/reconnects")" -gt "$rc0" ] || fail "reconnects did not rise"
drop_caches
$PY "$LEOFS_SRC/tests/vm/kns_mdsload.py" check "$MNT/w" "$LOAD" "$down" "$up" ||
	fail "workload results"
# the same mount, no remount: every kind of operation works
touch "$MNT/w/after" && mv "$MNT/w/after" "$MNT/w/after2" && ln -s after2 "$MNT/w/sl" &&
	mkdir "$MNT/w/dafter" && ls "$MNT/w" > /dev/null && rm "$MNT/w/after2" "$MNT/w/sl" &&
	rmdir "$MNT/w/dafter" || fail "operations after the restart"
df "$MNT" > /dev/null || fail "statfs after the restart"
umount "$MNT" || fail "umount after the restart"
rmmod leofs || fail "rmmod after the restart"
grep -q '^leofs ' /proc/modules && fail "leofs still loaded"
echo "kns faults: ok"
