#!/bin/bash
# leofs-admin client against the loaded module (generic netlink): no mount
# lists nothing; a mounted real cluster is listed with its source, map
# epoch and ready connections; show and stats agree with sysfs; the JSON is
# parsed and checked; an unknown mount id and a bad argument fail with a
# message and a non-zero status; with the module unloaded it says so.
set -u
. "$LEOFS_SRC/tests/vm/kns_lib.sh"
ADMIN=$BIN/leofs-admin

out=$("$ADMIN" client list --json) || fail "client list --json without mounts"
$PY -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["mounts"] == [] else 1)' "$out" ||
	fail "client list without mounts: $out"

kns_start
ls "$MNT" > /dev/null && touch "$MNT/probe" || fail "use the mount"
SYS=$(ls -d /sys/fs/leofs/* | head -n 1)
id=$(basename "$SYS")
"$ADMIN" client list || fail "client list"
"$ADMIN" client list --json > /tmp/kc-list.json || fail "client list --json"
$PY - /tmp/kc-list.json "$id" "$LEOFS_MDS" "$(cat "$SYS/map_epoch")" <<'PY' || fail "client list JSON: $(cat /tmp/kc-list.json)"
import json, sys
d = json.load(open(sys.argv[1]))
mid, mds, epoch = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
m = [x for x in d["mounts"] if x["mount_id"] == mid]
assert len(d["mounts"]) == 1 and m, "one mount, id %d" % mid
m = m[0]
assert m["source"].startswith(mds), m["source"]
assert m["map_epoch"] == epoch, (m["map_epoch"], epoch)
ready = [c for c in m["connections"] if c["state"] == "ready"]
assert ready, m["connections"]
assert any(c["address"] in mds for c in ready), (mds, ready)
PY
"$ADMIN" client show "$id" || fail "client show"
"$ADMIN" client stats "$id" --json > /tmp/kc-stats.json || fail "client stats --json"
$PY - /tmp/kc-stats.json "$(cat "$SYS/retries")" "$(cat "$SYS/reconnects")" <<'PY' || fail "client stats JSON: $(cat /tmp/kc-stats.json)"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["mounts"][0]
s = m["stats"]
assert s["retries"] == int(sys.argv[2]) and s["reconnects"] == int(sys.argv[3]), s
assert sum(s["rpcs"].values()) > 0, s["rpcs"]
PY
"$ADMIN" client show 9999 > /tmp/kc-err.out 2>&1 && fail "client show of an unknown mount succeeded"
grep -q . /tmp/kc-err.out || fail "client show 9999: no message"
"$ADMIN" client show notanumber > /tmp/kc-err.out 2>&1
[ $? = 2 ] || fail "client show notanumber: want exit 2: $(cat /tmp/kc-err.out)"
umount "$MNT" || fail "umount"
kns_cleanup
rmmod leofs || fail "rmmod"
"$ADMIN" client list > /tmp/kc-err.out 2>&1 && fail "client list without the module succeeded"
grep -q "not loaded" /tmp/kc-err.out || fail "client list without the module: $(cat /tmp/kc-err.out)"
echo "leofs-admin client: ok"
