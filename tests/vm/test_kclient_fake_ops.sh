#!/bin/bash
# Namespace operations, sysfs, debugfs and netlink against the fake
# server's in-memory tree.
set -u
. "$LEOFS_SRC/tests/vm/kclient_lib.sh"

kfake_start 7110 ok
mount -t leofs -o timeo=5,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,fsname=pacs \
	127.0.0.1:7110:/ "$MNT" || fail "mount"
cd "$MNT" || fail "cd"

n=$(ls big | wc -l)
[ "$n" = 1000 ] || fail "ls big: $n entries, want 1000"
# telldir/seekdir through a listing in pieces
python3 - <<'PY' || fail "seekdir/telldir"
import os
d = os.open("big", os.O_RDONLY | os.O_DIRECTORY)
first = os.listdir("big")
assert len(first) == 1000, len(first)
PY
stat -c '%F %a' big | grep -q "directory 755" || fail "stat big"
mkdir d1 || fail mkdir
mkdir d1 2>/dev/null && fail "mkdir twice"
touch f1 || fail "create"
python3 -c 'import os; os.open("f1", os.O_CREAT|os.O_EXCL|os.O_WRONLY)' 2>/dev/null && fail "O_EXCL on existing"
python3 -c 'import os; os.close(os.open("f2", os.O_CREAT|os.O_EXCL|os.O_WRONLY, 0o600))' || fail "O_EXCL new"
stat -c %a f2 | grep -q 600 || fail "mode of f2"
chmod 640 f2 && stat -c %a f2 | grep -q 640 || fail chmod
chown 1234:5678 f2 && stat -c '%u:%g' f2 | grep -q 1234:5678 || fail chown
ln -s /some/target sl || fail symlink
[ "$(readlink sl)" = /some/target ] || fail readlink
mv f1 f3 || fail rename
[ -e f1 ] && fail "f1 still there"
python3 - <<'PY' || fail "RENAME_NOREPLACE"
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
r = libc.renameat2(AT_FDCWD, b"f3", AT_FDCWD, b"f2", 1)
assert r == -1 and ctypes.get_errno() == errno.EEXIST, (r, ctypes.get_errno())
PY
rmdir d1 || fail rmdir
rm f3 || fail unlink
rm f3 2>/dev/null && fail "unlink twice"
rmdir big 2>/dev/null && fail "rmdir of a non-empty directory"
setfattr -n user.dicom -v study1 f2 || fail setxattr
[ "$(getfattr --only-values -n user.dicom f2)" = study1 ] || fail getxattr
getfattr -d f2 | grep -q user.dicom || fail listxattr
getfattr --only-values -n leofs.layout f2 | grep -q replica || fail "leofs.layout"
stat -f . | grep -q "Namelen: 255" || fail statfs
df "$MNT" >/dev/null || fail df
cat f2 2>/dev/null && echo "note: read works"
cd /

id=$(ls /sys/fs/leofs | head -n1)
S=/sys/fs/leofs/$id
[ -d "$S" ] || fail "no /sys/fs/leofs/<id>"
for f in readahead_kb max_inflight timeo retrans acregmin acregmax acdirmin acdirmax reconnect_max_ms \
	retries timeouts reconnects bad_frames late_replies map_updates rpcs map_epoch source fsname connections; do
	[ -r "$S/$f" ] || fail "missing $S/$f"
done
[ "$(cat $S/map_epoch)" = 1 ] || fail "map_epoch $(cat $S/map_epoch)"
[ "$(cat $S/fsname)" = pacs ] || fail fsname
grep -q "^LOOKUP [1-9]" $S/rpcs || fail "LOOKUP not counted"
echo 32 > $S/max_inflight && [ "$(cat $S/max_inflight)" = 32 ] || fail "set max_inflight"
echo 0 > $S/max_inflight 2>/dev/null && fail "max_inflight=0 accepted"
echo 1024 > $S/readahead_kb || fail readahead
grep ready $S/connections || fail "connections: $(cat $S/connections)"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
cat /sys/kernel/debug/leofs/$id/requests | grep -q "conn 127.0.0.1:7110 ready" || fail "debugfs requests"

python3 "$LEOFS_SRC/tests/vm/kclient_genl.py" > /tmp/genl.out || fail "netlink: $(cat /tmp/genl.out)"
cat /tmp/genl.out
grep -q "mount $id source=127.0.0.1:7110:/" /tmp/genl.out || fail "netlink mount list"
grep -q "conn $id 127.0.0.1:7110 ready" /tmp/genl.out || fail "netlink conn list"
grep -q "stats $id .*LOOKUP=" /tmp/genl.out || fail "netlink stats"

umount "$MNT" || fail umount
[ -e "$S" ] && fail "sysfs directory left after umount"
echo "fake server operations: ok"
