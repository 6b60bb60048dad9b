#!/bin/bash
# Two leofs-mds (A: map authority, shard 0; B: follower, shard 1) and two
# stand-in storage servers: the root has the default layout --init gave it
# (replica 2: the pool's two nodes), requests to the wrong MDS get
# WRONG_SHARD, both
# serve the same map, a silent OSS is marked down in a new epoch and up
# again when it returns, POOL_CREATE makes a pool in a new epoch on the
# authority only, and unlinked files' objects are deleted on their
# PG primaries, with retries, across an MDS crash.
. "$(dirname "$0")/lib.sh"

CID=0123456789abcdef0123456789abcdef
PA=$(it_port)
PB=$(it_port)
O1=$(it_port)
O2=$(it_port)

cat > "$IT_DIR/cluster.json" <<JSON
{
  "nodes": [
    { "id": 1, "address": "127.0.0.1", "port": $O1,
      "targets": [ { "id": 11, "tier": "ssd", "weight": 1.0 } ] },
    { "id": 2, "address": "127.0.0.1", "port": $O2,
      "targets": [ { "id": 21, "tier": "ssd", "weight": 1.0 } ] } ],
  "pools": [ { "id": 1, "name": "images", "tier": "ssd", "pg_num": 64 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $PA },
           { "id": 2, "address": "127.0.0.1", "port": $PB } ],
  "shards": [ { "id": 0, "mds": 1 }, { "id": 1, "mds": 2 } ]
}
JSON
cat > "$IT_DIR/a.json" <<JSON
{ "node_id": 1, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PA },
  "data_dir": "$IT_DIR/a", "shards": [0],
  "map": { "authority": true, "heartbeat_grace_ms": 1500 },
  "delete": { "poll_ms": 200, "retry_max_ms": 800 } }
JSON
cat > "$IT_DIR/b.json" <<JSON
{ "node_id": 2, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PB },
  "data_dir": "$IT_DIR/b", "shards": [1],
  "map": { "authority": false, "address": "127.0.0.1", "port": $PA } }
JSON

# waits up to $1 seconds for the command to succeed
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

node_is() { "$ITBIN/mds_client" node "$1" "$2" | grep -q "^$3 "; }
same_map() {
	"$ITBIN/mds_client" map "$PA" "$IT_DIR/map.a" &&
		"$ITBIN/mds_client" map "$PB" "$IT_DIR/map.b" &&
		cmp -s "$IT_DIR/map.a" "$IT_DIR/map.b"
}
start_oss() {
	it_start "oss$1" "$ITBIN/mds_fake_oss" "$2" "$PA" "$1" \
		"$IT_DIR/deleted$1" 200 "$3"
}

"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/a.json" \
	>/dev/null || fail "--init failed"
it_start a "$BIN/leofs-mds" --config "$IT_DIR/a.json"
it_wait_port "$PA"
it_start b "$BIN/leofs-mds" --config "$IT_DIR/b.json"
it_wait_port "$PB"
start_oss 1 "$O1" 2	# refuses its first two deletes
start_oss 2 "$O2" 0

# shards
[ "$("$ITBIN/mds_client" status "$PA" 1)" = WRONG_SHARD ] || fail "A served shard 1"
[ "$("$ITBIN/mds_client" status "$PB" 0)" = WRONG_SHARD ] || fail "B served shard 0"
[ "$("$ITBIN/mds_client" status "$PA" 0)" = OK ] || fail "A: no root"
# a fresh root has a layout: two nodes for pool 1, so two replicas
[ "$("$ITBIN/mds_client" rootlayout "$PA")" = "1 replica 1 1 1048576 1" ] ||
	fail "root layout: $("$ITBIN/mds_client" rootlayout "$PA")"

# the same map from both
wait_for 10 same_map || fail "A and B serve different maps"

# a silent OSS goes down in a new epoch, and comes back up
wait_for 5 node_is "$PA" 2 up || fail "node 2 not up"
e1=$("$ITBIN/mds_client" node "$PA" 2 | cut -d' ' -f2)
it_kill9 oss2
wait_for 10 node_is "$PA" 2 down || fail "silent node 2 not marked down"
e2=$("$ITBIN/mds_client" node "$PA" 2 | cut -d' ' -f2)
[ "$e2" -gt "$e1" ] || fail "down without a new epoch ($e1 -> $e2)"
wait_for 10 node_is "$PB" 2 down || fail "B did not follow the new epoch"
node_is "$PA" 1 up || fail "node 1, still heartbeating, went down"
start_oss 2 "$O2" 0
wait_for 10 node_is "$PA" 2 up || fail "node 2 not up again"
wait_for 10 same_map || fail "maps differ after node 2 returned"

# POOL_CREATE: authority only, a new epoch that the follower gets pushed
e1=$("$ITBIN/mds_client" pools "$PA" | sed -n 's/^epoch //p')
out=$("$ITBIN/mds_client" poolcreate "$PA" scans 1 32) || fail "poolcreate"
set -- $out
[ "$1" = OK ] && [ "$2" = 2 ] && [ "$3" -gt "$e1" ] ||
	fail "pool create on the authority: '$out' (epoch was $e1)"
pe=$3
"$ITBIN/mds_client" pools "$PA" > "$IT_DIR/pools" || fail "pools"
grep -qx "epoch $pe" "$IT_DIR/pools" && grep -qx "2 scans 1 32" "$IT_DIR/pools" ||
	fail "new pool not in MAP_GET: $(cat "$IT_DIR/pools")"
pool_on_b() { "$ITBIN/mds_client" pools "$PB" | grep -qx "2 scans 1 32"; }
wait_for 10 pool_on_b || fail "the follower did not get the new pool"
for bad in "images 0 8 EXIST" "scans 0 8 EXIST" \
	"toolong_toolong_toolong_toolong_ 0 8 INVAL" \
	"p 3 8 INVAL" "p 0 0 INVAL" "p 0 1048577 INVAL"; do
	set -- $bad
	out=$("$ITBIN/mds_client" poolcreate "$PA" "$1" "$2" "$3") ||
		fail "poolcreate $bad"
	[ "${out%% *}" = "$4" ] || fail "pool create $1 $2 $3: '$out', want $4"
done
"$ITBIN/mds_client" poolcreate "$PA" "sp ace" 0 8 | grep -q "^INVAL " ||
	fail "a pool name with a space was accepted"
out=$("$ITBIN/mds_client" poolcreate "$PB" other 0 8) || fail "poolcreate B"
[ "${out%% *}" = NOTSUP ] || fail "pool create on a follower: '$out'"
# stored before the reply: there after a crash of the authority
it_kill9 a
it_start a "$BIN/leofs-mds" --config "$IT_DIR/a.json"
it_wait_port "$PA"
"$ITBIN/mds_client" pools "$PA" | grep -qx "2 scans 1 32" ||
	fail "the new pool was lost across a crash"
wait_for 5 node_is "$PA" 1 up || fail "node 1 not up after the restart"
wait_for 5 node_is "$PA" 2 up || fail "node 2 not up after the restart"

# deletion: files with data unlinked; the drain deletes their objects
# new directories go to the shard placement picks: use names that land on
# shard 0, which A serves
data=$("$ITBIN/mds_client" xname "$PA" data 0) || fail "no name for shard 0"
data2=$("$ITBIN/mds_client" xname "$PA" data2- 0) || fail "no name for shard 0"
"$ITBIN/mds_client" unlinkdata "$PA" 5 1 "$data" > "$IT_DIR/inos" || fail "unlinkdata"
all_deleted() {
	local ino slots
	for ino in $(cat "$IT_DIR/inos"); do
		slots=$(cat "$IT_DIR"/deleted* 2>/dev/null |
			awk -v i="$ino" '$1 == "delete" && $2 == i {
				for (k = 3; k <= NF; k++) print $k }' | sort -u | xargs)
		[ "$slots" = "0 1 2 3" ] || return 1
	done
}
wait_for 20 all_deleted || fail "objects of unlinked files not deleted"
grep -q . "$IT_DIR/deleted1" || fail "node 1 got no delete"
grep -q . "$IT_DIR/deleted2" || fail "node 2 got no delete"

# the queue survives an MDS crash while the storage servers are away
it_kill9 oss1
it_kill9 oss2
rm -f "$IT_DIR"/deleted*
"$ITBIN/mds_client" unlinkdata "$PA" 3 1 "$data2" > "$IT_DIR/inos" ||
	fail "unlinkdata (2)"
sleep 0.5
it_kill9 a
it_start a "$BIN/leofs-mds" --config "$IT_DIR/a.json"
it_wait_port "$PA"
start_oss 1 "$O1" 0
start_oss 2 "$O2" 0
wait_for 30 all_deleted || fail "queued deletes lost across the crash"

it_stop b
it_stop a
echo "ok"
