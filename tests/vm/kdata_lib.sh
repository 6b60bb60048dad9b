#!/bin/bash
# Helpers for the data path tests (sourced). kdata_cluster_start runs a
# real cluster inside the guest on 127.0.0.1: one leofs-mds (map
# authority, shards 0 and 1) and $KDATA_NOSS leofs-oss nodes (default 6)
# with one target each, on a tmpfs mounted on /tmp/kdata, all from
# $LEOFS_SRC/build/bin; then mounts it on $MNT.

BIN=$LEOFS_SRC/build/bin
KD=/tmp/kdata
MNT=/tmp/leofs-mnt
UUID=5c1e0f00-aaaa-4bbb-8ccc-0123456789ab
MPORT=7400
KDATA_NOSS=${KDATA_NOSS:-6}
declare -A KD_PIDS

fail() {
	echo "FAIL: $*"
	local f
	for f in "$KD"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f"
		tail -n 15 "$f"
	done
	dmesg | grep -i leofs | tail -n 30
	exit 1
}

kd_oport() { echo $((7410 + $1)); }

kdata_cluster_start() {
	local i nodes="" b
	for b in leofs-mds leofs-oss; do
		[ -x "$BIN/$b" ] || fail "$BIN/$b not built (make -j2 userspace)"
	done
	"$BIN/leofs-mds" --help 2>&1 | grep -q -- "--init" ||
		fail "leofs-mds has no --init: the metadata server does not serve yet"
	ip link set lo up
	rm -rf "$KD"
	mkdir -p "$KD" "$MNT"
	# the targets get a tmpfs of their own: /tmp's (half the guest's
	# memory) cannot hold a 256 MiB file in three copies
	mount -t tmpfs -o size=1536m kdata "$KD" || fail "tmpfs on $KD"
	mkdir -p "$KD/mds"
	for ((i = 1; i <= KDATA_NOSS; i++)); do
		"$BIN/leofs-oss" --format "$KD/t$i" --cluster $UUID \
			--target $((10 + i)) --tier sata --weight 100 \
			> "$KD/format$i.log" 2>&1 || fail "leofs-oss --format t$i"
		cat > "$KD/oss$i.json" <<-JSON
		{ "node_id": $i,
		  "listen": { "address": "127.0.0.1", "port": $(kd_oport $i) },
		  "cluster_id": "$UUID",
		  "targets": [ { "path": "$KD/t$i", "id": $((10 + i)),
		                 "tier": "sata", "weight": 100 } ],
		  "worker_threads": 2,
		  "reserve_bytes": 0,
		  "mds": [ "127.0.0.1:$MPORT" ] }
		JSON
		nodes+="${nodes:+,}{ \"id\": $i, \"address\": \"127.0.0.1\", \"port\": $(kd_oport $i),
		    \"targets\": [ { \"id\": $((10 + i)), \"tier\": \"sata\", \"weight\": 1 } ] }"
	done
	cat > "$KD/cluster.json" <<-JSON
	{ "nodes": [ $nodes ],
	  "pools": [ { "id": 1, "name": "images", "tier": "sata", "pg_num": 64 } ],
	  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $MPORT } ],
	  "shards": [ { "id": 0, "mds": 1 }, { "id": 1, "mds": 1 } ] }
	JSON
	cat > "$KD/mds.json" <<-JSON
	{ "node_id": 1, "cluster_id": "$UUID",
	  "listen": { "address": "127.0.0.1", "port": $MPORT },
	  "data_dir": "$KD/mds", "shards": [0, 1],
	  "map": { "authority": true, "heartbeat_grace_ms": 3000,
	           "down_out_ms": 3000 } }
	JSON
	"$BIN/leofs-mds" --init "$KD/cluster.json" --config "$KD/mds.json" \
		> "$KD/init.log" 2>&1 || fail "leofs-mds --init"
	kd_start mds "$BIN/leofs-mds" --config "$KD/mds.json"
	kd_wait_port $MPORT
	for ((i = 1; i <= KDATA_NOSS; i++)); do
		kd_start_oss $i
	done
	for ((i = 1; i <= KDATA_NOSS; i++)); do
		kd_wait_port "$(kd_oport $i)"
	done
	mount -t leofs -o timeo=5,retrans=1 "127.0.0.1:$MPORT:/" "$MNT" ||
		fail "mount"
	SYS=$(ls -d /sys/fs/leofs/* | head -n 1)
}

kd_start() {
	local name=$1
	shift
	"$@" >> "$KD/$name.log" 2>&1 &
	KD_PIDS[$name]=$!
}

kd_start_oss() {
	kd_start "oss$1" "$BIN/leofs-oss" --config "$KD/oss$1.json"
}

kd_kill9() {
	kill -9 "${KD_PIDS[$1]}" 2>/dev/null
	wait "${KD_PIDS[$1]}" 2>/dev/null
	unset "KD_PIDS[$1]"
}

kd_wait_port() {
	local i
	for ((i = 0; i < 400; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	fail "nothing listens on port $1"
}

kdata_cleanup() {
	local n
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	for n in "${!KD_PIDS[@]}"; do
		kill "${KD_PIDS[$n]}" 2>/dev/null
	done
	for n in "${!KD_PIDS[@]}"; do
		wait "${KD_PIDS[$n]}" 2>/dev/null
	done
	umount "$KD" 2>/dev/null
	rm -rf "$KD"
}
trap kdata_cleanup EXIT

# stat NAME: one statistic of the mount
stat_of() { cat "$SYS/$1"; }

# layout_dir NAME LAYOUT: a directory whose new files get LAYOUT
layout_dir() {
	mkdir -p "$MNT/$1" || fail "mkdir $1"
	setfattr -n leofs.layout -v "$2" "$MNT/$1" || fail "setfattr $1 '$2'"
}

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# The layouts of the tests: replica 1/2/3, EC 2+1, 4+1, 4+2; small units
# and two slots so that files span many stripes and PGs; and EC 4+1 with
# the largest unit, 64 MiB, more than one message carries (partial writes
# and reads in windows of 16 MiB of a fragment).
KD_LAYOUTS=(
	"r1|pool=images scheme=replica n=1 unit=65536 count=2"
	"r2|pool=images scheme=replica n=2 unit=65536 count=2"
	"r3|pool=images scheme=replica n=3 unit=65536 count=2"
	"ec21|pool=images scheme=ec k=2 m=1 unit=65536 count=2"
	"ec41|pool=images scheme=ec k=4 m=1 unit=65536 count=2"
	"ec42|pool=images scheme=ec k=4 m=2 unit=65536 count=2"
	"ec41u64m|pool=images scheme=ec k=4 m=1 unit=67108864 count=1"
)
