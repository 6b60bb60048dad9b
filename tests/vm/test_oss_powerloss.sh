#!/bin/bash
# Power loss, not only kill -9: the storage engine runs a sequence of
# updates (new stripes, staged rewrites, prepare + commit, abort, undo,
# truncate, delete, a map epoch change) on ext4 over dm-log-writes, which
# logs every write the disk completes and every flush. After each update is
# acknowledged a mark goes into the log. Then for every mark the disk is
# rebuilt from the log as a power loss right after that acknowledgement
# leaves it (only what had been flushed), mounted (ext4 recovers its
# journal), and the target opened (leofs recovers its staging): every
# stripe must be exactly as acknowledged, and the next version number above
# every one issued. A missing fsync of data, of a record, of a rename or of
# a directory entry shows up as a lost or torn update.
set -eu

BIN=$LEOFS_SRC/build/tests/integration/oss_powerloss
N=${LEOFS_POWERLOSS_UPDATES:-16}
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
"$BIN" write "$W/mnt/t0" "$N" dmsetup message "$DM" 0 mark ||
	fail "the update sequence failed"
umount "$W/mnt"
dmsetup --noudevsync remove "$DM"
losetup -d "$data"

for ((i = 0; i < N; i++)); do
	rm -f "$W/image"
	truncate -s $SIZE "$W/image"
	"$BIN" replay "$log" "$W/image" "ack-$i" > /dev/null ||
		fail "replay to ack-$i"
	img=$(losetup -f --show "$W/image")
	mount "$img" "$W/mnt" || fail "the disk at ack-$i does not mount"
	"$BIN" check "$W/mnt/t0" "$i" "$N" || fail "after update $i"
	umount "$W/mnt"
	losetup -d "$img"
done
echo "ok: after a power loss at each of $N acknowledgements, nothing acknowledged was lost"
