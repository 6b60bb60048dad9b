#!/bin/bash
# kill -9 of leofs-mds during a create storm from several connections:
# after a restart every acknowledged create is there.
. "$(dirname "$0")/lib.sh"

CID=0123456789abcdef0123456789abcdef
PORT=$(it_port)

cat > "$IT_DIR/cluster.json" <<JSON
{
  "nodes": [ { "id": 1, "address": "127.0.0.1", "port": 1,
               "targets": [ { "id": 11, "tier": "ssd" } ] } ],
  "pools": [ { "id": 1, "name": "images", "tier": "ssd", "pg_num": 8 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $PORT } ],
  "shards": [ { "id": 0, "mds": 1 } ]
}
JSON
cat > "$IT_DIR/mds.json" <<JSON
{ "node_id": 1, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PORT },
  "data_dir": "$IT_DIR/mds", "shards": [0] }
JSON
"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/mds.json" \
	>/dev/null || fail "--init failed"

for round in 1 2 3; do
	it_start mds "$BIN/leofs-mds" --config "$IT_DIR/mds.json"
	it_wait_port "$PORT"
	it_start storm "$ITBIN/mds_client" storm "$PORT" 6 "storm$round" \
		"$IT_DIR/acked$round"
	sleep 2
	it_kill9 mds
	it_kill9 storm
	it_start mds "$BIN/leofs-mds" --config "$IT_DIR/mds.json"
	it_wait_port "$PORT"
	for r in $(seq 1 "$round"); do
		"$ITBIN/mds_client" verify "$PORT" "storm$r" "$IT_DIR/acked$r" ||
			fail "round $round: acknowledged creates of round $r lost"
	done
	it_kill9 mds
done
echo "ok"
