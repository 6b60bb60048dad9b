#!/bin/bash
# POSIX namespace behaviour of leofs.ko against a real cluster started in the
# guest (tests/vm/kns_posix.py does the checks): create, O_CREAT|O_EXCL,
# mkdir, unlink, rmdir, rename (over a file, RENAME_NOREPLACE, between
# directories, on one shard and across shards), link, symlink, readlink,
# chmod, chown, utimes, truncate, xattrs, statfs, and the errors EEXIST,
# ENOENT, ENOTEMPTY, EISDIR, ENOTDIR, ENAMETOOLONG, ELOOP; EACCES/EPERM as
# uid 1000; names with every legal byte; the state read again after
# dropping the caches and after a remount; telldir/seekdir through libc; a
# directory of KNS_BIGDIR entries listed completely.
# KNS_BIGDIR entries, 100,000 by default (make check-vm-full); under
# emulation, with the metadata server in the same 2-CPU guest, that takes
# several minutes, so the suite's test_kns_posix.sh uses fewer.
set -u
. "$LEOFS_SRC/tests/vm/kns_lib.sh"
BIG=${KNS_BIGDIR:-100000}
export KNS_BIGDIR_BUDGET=${KNS_BIGDIR_BUDGET:-3600}

kns_start
T0=$SECONDS
mkdir "$MNT/p" "$MNT/perm" && kns_layout "$MNT/p" && kns_layout "$MNT/perm" || fail "mkdir p perm"
$PY "$LEOFS_SRC/tests/vm/kns_posix.py" ops "$MNT/p" || fail "operations"
drop_caches
$PY "$LEOFS_SRC/tests/vm/kns_posix.py" verify "$MNT/p" || fail "state after drop_caches"
umount "$MNT" || fail "umount"
kns_mount
$PY "$LEOFS_SRC/tests/vm/kns_posix.py" verify "$MNT/p" || fail "state after a remount"

# touch -d and df, the programs users run
touch "$MNT/p/td" && touch -d "2001-02-03 04:05:06 UTC" "$MNT/p/td" || fail "touch -d"
drop_caches
[ "$(stat -c %Y "$MNT/p/td")" = 981173106 ] || fail "touch -d: mtime $(stat -c %Y "$MNT/p/td")"
df -P "$MNT" | tail -n 1 | grep -q "$MNT" || fail "df: $(df -P "$MNT" 2>&1)"
df -i "$MNT" > /dev/null || fail "df -i"
echo "posix operations: ok ($((SECONDS - T0)) s)"

# EACCES/EPERM as an unprivileged user (uid 1000, no groups)
N=$MNT/perm
mkdir -p "$N/ro" "$N/priv" "$N/open" "$N/sticky" || fail "mkdir perm"
echo secret > "$N/ro/file" && chmod 600 "$N/ro/file"
echo public > "$N/ro/pub" && chmod 644 "$N/ro/pub"
touch "$N/priv/file" && chmod 700 "$N/priv" && chmod 755 "$N/ro" "$N"
chmod 777 "$N/open"
chmod 1777 "$N/sticky" && touch "$N/sticky/rootfile" && chmod 666 "$N/sticky/rootfile"
setpriv --reuid 1000 --regid 1000 --clear-groups \
	$PY "$LEOFS_SRC/tests/vm/kns_posix.py" nonroot "$N" || fail "non-root checks"
[ -e "$N/sticky/rootfile" ] || fail "a sticky directory's file vanished"
echo "non-root: ok"

T0=$SECONDS
$PY "$LEOFS_SRC/tests/vm/kns_posix.py" seekdir "$MNT/sk" || fail "telldir/seekdir"
echo "seekdir: ok ($((SECONDS - T0)) s)"

T0=$SECONDS
$PY "$LEOFS_SRC/tests/vm/kns_posix.py" bigdir "$MNT/big" "$BIG" || fail "large directory"
# ls, through readdir with its own buffer size, after a remount
umount "$MNT" || fail "umount"
kns_mount
n=$(ls -f "$MNT/big" | wc -l)
[ "$n" = $((BIG + 2)) ] || fail "ls -f lists $n entries, want $((BIG + 2))"
echo "large directory: ok, $BIG entries ($((SECONDS - T0)) s)"
umount "$MNT" || fail "final umount"
echo "kns posix: ok"
