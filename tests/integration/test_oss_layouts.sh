#!/bin/bash
# leofs-oss round trips in every layout, through the userspace file client:
# 11 OSS on 127.0.0.1 (EC 8+3 needs 11 nodes). Replica 1/2/3 and EC 2+1,
# 4+1, 4+2, 8+3; sizes 0 B .. 64 MiB; each file written whole, verified,
# overwritten at an unaligned offset and verified byte for byte again.
. "$(dirname "$0")/lib.sh"

NODES=11
UUID=5d0e3f1a-2b6c-4d8e-9f10-a1b2c3d4e5f6
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
declare -a PORT

nodes=""
for ((i = 1; i <= NODES; i++)); do
	PORT[$i]=$(it_port)
	"$BIN/leofs-oss" --format "$IT_DIR/t$i" --cluster $UUID --target $((i * 10)) \
		--tier ssd --weight 1 > /dev/null
	nodes+="${nodes:+,}{\"id\": $i, \"addr\": \"127.0.0.1:${PORT[$i]}\", \"targets\": [{\"id\": $((i * 10)), \"weight\": 1.0, \"tier\": \"ssd\"}]}"
	cat > "$IT_DIR/oss$i.json" <<EOC
{ "node_id": $i, "listen": { "address": "127.0.0.1", "port": ${PORT[$i]} },
  "cluster_id": "$UUID",
  "targets": [ { "path": "$IT_DIR/t$i", "id": $((i * 10)), "tier": "ssd", "weight": 1 } ],
  "worker_threads": 2, "group_commit_us": 200, "reserve_bytes": 0,
  "cluster_map": "$MAP" }
EOC
done
cat > "$MAP" <<EOC
{ "epoch": 1, "pool": { "id": 1, "name": "dicom", "tier": "ssd", "pg_num": 32, "width": 3 },
  "nodes": [ $nodes ] }
EOC

for ((i = 1; i <= NODES; i++)); do
	it_start "oss$i" "$BIN/leofs-oss" --config "$IT_DIR/oss$i.json"
done
for ((i = 1; i <= NODES; i++)); do it_wait_port "${PORT[$i]}"; done

for s in r1 r2 r3 ec2+1 ec4+1 ec4+2 ec8+3; do
	t0=$(date +%s.%N)
	"$IO" "$MAP" $UUID roundtrip $s 65536 || fail "round trip $s"
	printf 'round trip %s ok (%.1f s)\n' $s "$(echo "$(date +%s.%N) - $t0" | bc)"
done
# a stripe unit that is not the default, and a replica unit of 1 MiB
"$IO" "$MAP" $UUID roundtrip ec4+2 262144 100000 || fail "round trip ec4+2, 256 KiB unit"
"$IO" "$MAP" $UUID roundtrip r3 1048576 100100 || fail "round trip r3, 1 MiB unit"

for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
