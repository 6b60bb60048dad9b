#!/bin/bash
# Bad mount options fail with EINVAL and say why in the kernel log; a
# server that is not there fails the mount quickly, one that never answers
# within timeo.
set -u
. "$LEOFS_SRC/tests/vm/kclient_lib.sh"

expect_einval() {
	local src=$1 opts=$2 pattern=$3 out
	dmesg -C
	out=$(mount_errno "$src" "$opts") && fail "mount $src -o $opts succeeded"
	echo "$out" | grep -q "Invalid argument" ||
		fail "mount $src -o $opts: want EINVAL, got: $out"
	dmesg | grep -q "$pattern" ||
		fail "mount $src -o $opts: no kernel message matching '$pattern'"
	echo "ok: -o $opts -> EINVAL ($(dmesg | grep -m1 "$pattern" | sed 's/^\[[^]]*\] //'))"
}

expect_einval 127.0.0.1:7100:/ bogus=1 "Unknown parameter 'bogus'"
expect_einval 127.0.0.1:7100:/ timeo=0 "timeo=0"
expect_einval 127.0.0.1:7100:/ timeo=abc "Bad value for 'timeo'"
expect_einval 127.0.0.1:7100:/ retrans=99 "retrans=99"
expect_einval 127.0.0.1:7100:/ acregmin=10,acregmax=5 "minimum is above"
expect_einval 127.0.0.1:7100:/ actimeo=100000 "actimeo=100000"
expect_einval 127.0.0.1:7100:/ cluster=xyz "cluster= wants"
expect_einval mds.example.org:7100:/ timeo=1 "not a numeric"
expect_einval 127.0.0.1:99999:/ timeo=1 "bad port"
expect_einval 127.0.0.1:7100 timeo=1 "is not of the form"
expect_einval none timeo=1 "no metadata server"
expect_einval none mds=[::1 "missing"

# Nothing listens: refused at once.
start=$(date +%s)
out=$(mount_errno 127.0.0.1:7101:/ timeo=5) && fail "mount to a closed port succeeded"
el=$(( $(date +%s) - start ))
echo "closed port: $out (${el}s)"
[ $el -le 6 ] || fail "closed port took ${el}s"
dmesg | grep -q "no metadata server reachable" || fail "no message for the closed port"

# No route (the guest has only loopback).
start=$(date +%s)
mount_errno 192.0.2.1:7000:/ timeo=3 && fail "mount to 192.0.2.1 succeeded"
el=$(( $(date +%s) - start ))
[ $el -le 5 ] || fail "unroutable address took ${el}s"

# A server that accepts but never answers HELLO: fails within timeo.
kfake_start 7102 stall HELLO 1000
start=$(date +%s)
out=$(mount_errno 127.0.0.1:7102:/ timeo=3) && fail "mount to a silent server succeeded"
el=$(( $(date +%s) - start ))
echo "silent server: $out (${el}s)"
[ $el -ge 2 ] && [ $el -le 6 ] || fail "silent server: ${el}s, want about 3"

# Second address answers when the first does not.
kfake_start 7103 ok
mount_errno 127.0.0.1:7101,127.0.0.1:7103:/ timeo=5 >/dev/null ||
	fail "mount with a dead first address failed"
grep -q " $MNT leofs " /proc/mounts || fail "not in /proc/mounts"
grep " $MNT leofs " /proc/mounts
umount "$MNT" || fail "umount"

# mount.leofs resolves names.
"$LEOFS_SRC/build/bin/mount.leofs" localhost:7103:/ "$MNT" -o timeo=5,fsname=pacs ||
	fail "mount.leofs localhost failed"
grep " $MNT leofs " /proc/mounts | grep -q "127.0.0.1:7103:/" || fail "mount.leofs source not numeric"
umount "$MNT" || fail "umount"
echo "mount options: ok"
