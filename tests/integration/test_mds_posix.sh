#!/bin/bash
# leofs-mds through the network: every POSIX case, the reply cache across
# reconnects and restarts, bad input, and a clean SIGTERM.
. "$(dirname "$0")/lib.sh"

CID=0123456789abcdef0123456789abcdef
PORT=$(it_port)
OSS_PORT=$(it_port)

cat > "$IT_DIR/cluster.json" <<JSON
{
  "nodes": [ { "id": 1, "address": "127.0.0.1", "port": $OSS_PORT,
               "targets": [ { "id": 11, "tier": "ssd", "weight": 1.0 } ] } ],
  "pools": [ { "id": 1, "name": "images", "tier": "ssd", "pg_num": 64 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $PORT } ],
  "shards": [ { "id": 0, "mds": 1 } ]
}
JSON
cat > "$IT_DIR/mds.json" <<JSON
{ "node_id": 1, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PORT },
  "data_dir": "$IT_DIR/mds", "shards": [0],
  "limits": { "idle_timeout_ms": 1000 } }
JSON

"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/mds.json" \
	|| fail "--init failed"
if "$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/mds.json" \
	2>/dev/null; then
	fail "a second --init overwrote the map"
fi

it_start mds "$BIN/leofs-mds" --config "$IT_DIR/mds.json"
it_wait_port "$PORT"

"$ITBIN/mds_client" posix "$PORT" || fail "POSIX cases"
"$ITBIN/mds_client" resend "$PORT" > "$IT_DIR/resend.out" || fail "resend"
"$ITBIN/mds_client" badinput "$PORT" || fail "bad input"

# the reply cache is durable: a resend after a restart is answered too
it_stop mds
it_start mds "$BIN/leofs-mds" --config "$IT_DIR/mds.json"
it_wait_port "$PORT"
"$ITBIN/mds_client" posix "$PORT" 2>/dev/null && fail "posix ran twice on one tree"
"$ITBIN/mds_client" badinput "$PORT" >/dev/null 2>&1 || true
"$ITBIN/mds_client" status "$PORT" 0 | grep -qx OK || fail "root after restart"
"$ITBIN/mds_client" status "$PORT" 3 | grep -qx WRONG_SHARD || fail "shard 3 served"
it_stop mds
echo "ok"
