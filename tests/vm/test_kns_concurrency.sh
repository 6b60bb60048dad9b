#!/bin/bash
# Two processes doing create, rename and unlink storms in the same three
# directories of a real cluster (tests/vm/kns_storm.py), then races on the
# same names (O_CREAT|O_EXCL, unlink, RENAME_NOREPLACE, rename of one
# source): the final listing, after dropping the caches and again after a
# remount (fresh from the metadata server), must equal what the two
# processes recorded, and exactly one process must have won each raced name.
set -u
. "$LEOFS_SRC/tests/vm/kns_lib.sh"
OPS=${KNS_STORM_OPS:-2000}

kns_start
mkdir "$MNT/c" || fail "mkdir c"
echo "directory shards: d0..d2 are made by the storm; root on shard $(shard_of "$MNT")"
T0=$SECONDS
$PY "$LEOFS_SRC/tests/vm/kns_storm.py" run "$MNT/c" "$OPS" || fail "storm"
echo "storm: $((SECONDS - T0)) s; shards of d0 d1 d2:" \
	"$(shard_of "$MNT/c/d0") $(shard_of "$MNT/c/d1") $(shard_of "$MNT/c/d2")"
drop_caches
$PY "$LEOFS_SRC/tests/vm/kns_storm.py" check "$MNT/c" || fail "state after drop_caches"
umount "$MNT" || fail "umount"
kns_mount
$PY "$LEOFS_SRC/tests/vm/kns_storm.py" check "$MNT/c" || fail "state after a remount"
umount "$MNT" || fail "final umount"
echo "kns concurrency: ok"
