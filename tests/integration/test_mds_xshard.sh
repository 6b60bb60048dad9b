#!/bin/bash
# Cross-shard mkdir and rmdir over two leofs-mds processes: A (map
# authority) serves shards 0 and 1, B serves shards 2 and 3. New
# directories in the root go to the shard the placement picks: on A's
# shard 1 the protocol runs inside A, on B's shards over MDS-to-MDS
# requests. Then, for every step of the protocol, the MDS that owns the
# step is started with LEOFS_MDS_CRASH naming it and dies there (SIGKILL);
# after a restart, recovery leaves the operation done or undone as the
# step implies, and the namespace is consistent (mds_client fsck).
. "$(dirname "$0")/lib.sh"

CID=0123456789abcdef0123456789abcdef
PA=$(it_port)
PB=$(it_port)
C=$ITBIN/mds_client

cat > "$IT_DIR/cluster.json" <<JSON
{
  "nodes": [ { "id": 1, "address": "127.0.0.1", "port": $(it_port),
               "targets": [ { "id": 11, "tier": "ssd" } ] } ],
  "pools": [ { "id": 1, "name": "images", "tier": "ssd", "pg_num": 8 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $PA },
           { "id": 2, "address": "127.0.0.1", "port": $PB } ],
  "shards": [ { "id": 0, "mds": 1 }, { "id": 1, "mds": 1 },
              { "id": 2, "mds": 2 }, { "id": 3, "mds": 2 } ]
}
JSON
cat > "$IT_DIR/a.json" <<JSON
{ "node_id": 1, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PA },
  "data_dir": "$IT_DIR/a", "shards": [0, 1],
  "map": { "authority": true, "heartbeat_grace_ms": 600000 } }
JSON
cat > "$IT_DIR/b.json" <<JSON
{ "node_id": 2, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PB },
  "data_dir": "$IT_DIR/b", "shards": [2, 3],
  "map": { "authority": false, "address": "127.0.0.1", "port": $PA } }
JSON

start_a() { it_start a "$BIN/leofs-mds" --config "$IT_DIR/a.json"; it_wait_port "$PA"; }
start_b() { it_start b "$BIN/leofs-mds" --config "$IT_DIR/b.json"; it_wait_port "$PB"; }

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
fsck_ok() { [ "$("$C" fsck "$PA" "$PB")" = ok ]; }
b_has_map() { "$C" pools "$PB" | grep -q "^epoch"; }
# dead NAME: waits for the process to have died
dead() { ! kill -0 "$(it_pid "$1")" 2>/dev/null; }

"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/a.json" \
	>/dev/null || fail "--init failed"
start_a
start_b
wait_for 10 b_has_map || fail "B has no map"

# ---- without crashes: inside A (shard 1) and across (shards 2, 3) ----------------
for shard in 1 2 3; do
	name=$("$C" xname "$PA" plain "$shard") || fail "no name for shard $shard"
	out=$("$C" xop "$PA" mkdir "$name")
	case "$out" in
	"OK 0x$shard"[0-9a-f]*) ;;
	*) fail "mkdir $name (shard $shard): $out" ;;
	esac
	[ "$(printf '%x' $((${out#OK } >> 48)))" = "$shard" ] ||
		fail "mkdir $name not on shard $shard: $out"
	[ "$("$C" xop "$PA" mkdir "$name")" = "EXIST 0" ] ||
		fail "second mkdir $name"
	fsck_ok || fail "after mkdir on shard $shard: $("$C" fsck "$PA" "$PB")"
	[ "$("$C" xop "$PA" rmdir "$name")" = OK ] || fail "rmdir $name"
	[ "$("$C" xop "$PA" rmdir "$name")" = NOENT ] || fail "rmdir $name again"
	fsck_ok || fail "after rmdir on shard $shard: $("$C" fsck "$PA" "$PB")"
done

# ---- a crash at each step --------------------------------------------------------
# crash WHO OP POINT DONE: WHO (a or b) dies at POINT during OP (mkdir or
# rmdir of a directory placed on shard 2); DONE says whether it took effect.
n=0
crash() {
	local who=$1 op=$2 point=$3 done=$4 name
	n=$((n + 1))
	name=$("$C" xname "$PA" "c$n-" 2) || fail "no name for shard 2"
	if [ "$op" = rmdir ]; then
		"$C" xop "$PA" mkdir "$name" | grep -q "^OK " || fail "mkdir $name"
	fi
	it_stop "$who"
	LEOFS_MDS_CRASH=$point it_start "$who" "$BIN/leofs-mds" \
		--config "$IT_DIR/$who.json"
	[ "$who" = a ] && it_wait_port "$PA" || it_wait_port "$PB"
	[ "$who" = b ] || wait_for 10 b_has_map || fail "B lost the map"
	"$C" xop "$PA" "$op" "$name" > "$IT_DIR/xop.out" 2>&1 || true
	wait_for 10 dead "$who" || fail "$point: $who did not die"
	it_kill9 "$who"
	"start_$who"
	wait_for 20 fsck_ok ||
		fail "$point: not consistent after restart: $("$C" fsck "$PA" "$PB")"
	if "$C" xop "$PA" mkdir "$name" | grep -q "^OK "; then
		# the name was free: mkdir undone, or rmdir done
		[ "$op/$done" = mkdir/no ] || [ "$op/$done" = rmdir/yes ] ||
			fail "$point: $op of $name did not take effect"
	else
		[ "$op/$done" = mkdir/yes ] || [ "$op/$done" = rmdir/no ] ||
			fail "$point: $op of $name took effect"
	fi
	fsck_ok || fail "$point: after the check: $("$C" fsck "$PA" "$PB")"
	echo "crash at $who $point: ok"
}

for op in mkdir rmdir; do
	crash a $op $op-intent no
	crash b $op $op-peer-prepared no
	crash a $op $op-prepared no
	crash a $op $op-committed yes
	crash b $op peer-committed yes
	crash a $op $op-finished yes
done

it_stop b
it_stop a
echo "ok"
