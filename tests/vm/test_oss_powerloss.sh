#!/bin/bash
# Power loss, not only kill -9: two writers run a sequence of updates on
# the storage engine at the same time (new stripes, staged rewrites,
# prepare + commit, abort, undo, truncate, delete, a map epoch change), on
# ext4 over dm-log-writes, which logs every write the disk completes and
# every flush; their syncs share group-commit passes. After each update is
# acknowledged a mark goes into the log. Then for every mark the disk is
# rebuilt from the log as a power loss right after that acknowledgement
# leaves it (only what had been flushed), mounted (ext4 recovers its
# journal), and the target opened (leofs recovers its staging): every
# acknowledged update must be there exactly, nothing torn, and the next
# version number above every one issued. A missing sync of data, of a
# record, of a rename or of a directory entry, or a group-commit pass that
# releases a waiter before its files are synced, loses an update here.
set -eu

BIN=$LEOFS_SRC/build/tests/integration/oss_powerloss
N=${LEOFS_POWERLOSS_UPDATES:-8} # per writer
W=/tmp/leofs-powerloss
DM=leofs-powerloss
SIZE=64M
loops=()

fail() {
	echo "FAIL: $*"
	exit 1
}

cleanup() {
	local l
	umount "$W/mnt" 2>/dev/null || true
	dmsetup --noudevsync remove "$DM" 2>/dev/null || true
	for l in "${loops[@]}"; do
		losetup -d "$l" 2>/dev/null || true
	done
	rm -rf "$W"
}
trap cleanup EXIT

[ -x "$BIN" ] || fail "$BIN not built (make -j2 userspace)"
modprobe -a loop dm-log-writes ext4 || fail "cannot load loop, dm-log-writes, ext4"
mkdir -p "$W/mnt"
truncate -s $SIZE "$W/data.img"
truncate -s 256M "$W/log.img"
data=$(losetup -f --show "$W/data.img")
loops+=("$data")
log=$(losetup -f --show "$W/log.img")
loops+=("$log")
dmsetup --noudevsync create "$DM" \
	--table "0 $(blockdev --getsz "$data") log-writes $data $log"
dmsetup mknodes "$DM"
mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 "/dev/mapper/$DM"
mount "/dev/mapper/$DM" "$W/mnt"
"$BIN" write "$W/mnt/t0" "$W/acks" "$N" dmsetup message "$DM" 0 mark ||
	fail "the update sequence failed"
umount "$W/mnt"
dmsetup --noudevsync remove "$DM"
losetup -d "$data"

for w in 0 1; do
	for ((i = 0; i < N; i++)); do
		rm -f "$W/image"
		truncate -s $SIZE "$W/image"
		mark=$("$BIN" replay "$log" "$W/image" "ack-$w-$i-") ||
			fail "replay to ack-$w-$i"
		img=$(losetup -f --show "$W/image")
		mount "$img" "$W/mnt" || fail "the disk at $mark does not mount"
		"$BIN" check "$W/mnt/t0" "$W/acks" "$mark" "$N" || fail "at $mark"
		umount "$W/mnt"
		losetup -d "$img"
	done
done
echo "ok: after a power loss at each of $((2 * N)) acknowledgements, nothing acknowledged was lost"
