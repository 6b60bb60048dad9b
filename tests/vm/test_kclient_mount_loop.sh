#!/bin/bash
# mount, use, umount and rmmod 20 times: nothing is left behind (the
# runner also scans the kernel log for warnings, and slab caches must go).
set -u
. "$LEOFS_SRC/tests/vm/kclient_lib.sh"

kfake_start 7300 ok
for i in $(seq 20); do
	grep -q '^leofs ' /proc/modules || insmod "$LEOFS_KO" || fail "insmod round $i"
	mount -t leofs -o timeo=5 127.0.0.1:7300:/ "$MNT" || fail "mount round $i"
	ls "$MNT/big" | wc -l | grep -q '^1000$' || fail "ls round $i"
	mkdir "$MNT/r$i" && rmdir "$MNT/r$i" || fail "mkdir/rmdir round $i"
	umount "$MNT" || fail "umount round $i"
	rmmod leofs || fail "rmmod round $i"
	grep -q leofs_inode /proc/slabinfo 2>/dev/null && fail "slab cache left, round $i"
	[ -e /sys/fs/leofs ] && fail "/sys/fs/leofs left, round $i"
done
echo "mount loop: 20 rounds ok"
