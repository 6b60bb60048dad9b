#!/bin/bash
# Helpers for the namespace tests (sourced, not run by itself).
# kns_start starts a real cluster inside the guest with scripts/local-cluster
# (one leofs-mds serving shards 0 and 1, three leofs-oss, from
# $LEOFS_SRC/build/bin) in $KNS_DIR and mounts it on $MNT.
# Python runs as /usr/bin/python3 so that a non-root user can run it too.

PY=/usr/bin/python3
KNS_DIR=/tmp/kns-cluster
MNT=/tmp/leofs-mnt
KNS_MOUNT_OPTS=${KNS_MOUNT_OPTS:-timeo=5,retrans=1}
BIN=$LEOFS_SRC/build/bin

fail() {
	echo "FAIL: $*"
	local f
	for f in "$KNS_DIR"/logs/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f"
		tail -n 15 "$f"
	done
	dmesg | grep -i leofs | tail -n 30
	exit 1
}

kns_mount() {
	mount -t leofs -o "$KNS_MOUNT_OPTS" "$LEOFS_MDS:/" "$MNT" || fail "mount $LEOFS_MDS:/"
}

kns_start() {
	rm -rf "$KNS_DIR"
	mkdir -p "$MNT"
	BUILD=$LEOFS_SRC/build "$LEOFS_SRC/scripts/local-cluster" start "$KNS_DIR" \
		--oss 3 --shards 2 > /tmp/kns-start.log 2>&1 ||
		fail "local-cluster start: $(cat /tmp/kns-start.log)"
	. "$KNS_DIR/env"
	kns_mount
}

kns_cleanup() {
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	[ -f "$KNS_DIR/env" ] && "$LEOFS_SRC/scripts/local-cluster" stop "$KNS_DIR" 2>/dev/null
}
trap kns_cleanup EXIT

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

# shard_of PATH: the home shard of an inode (top 16 bits of the inode id)
shard_of() {
	echo $(($(stat -c %i "$1") >> 48))
}

# kns_layout DIR: DIR gets a data layout (replica 2), inherited by what is
# made in it. The root of a new cluster has none: file contents written
# where no layout applies fail with EIO ("has no usable data layout").
kns_layout() {
	setfattr -n leofs.layout -v "pool=images scheme=replica n=2 unit=65536 count=1" "$1" ||
		fail "setfattr leofs.layout on $1"
}
