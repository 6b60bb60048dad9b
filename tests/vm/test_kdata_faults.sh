#!/bin/bash
# Faults under leofs.ko: (1) one OSS killed while EC 4+1 files are read:
# every read stays correct and degraded_reads rises; after a restart of
# that OSS reads still succeed. (2) bits flipped in a stored fragment:
# the read returns the right bytes and checksum_errors rises.
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"

kdata_cluster_start
layout_dir ec41 "pool=images scheme=ec k=4 m=1 unit=65536 count=2"
REF=/tmp/kdata-ref
mkdir -p $REF
for i in 1 2 3 4; do
	head -c $((3 * 1048576 + i * 4099)) /dev/urandom > "$REF/f$i"
	cp "$REF/f$i" "$MNT/ec41/f$i" || fail "cp f$i"
done
sync

# ---- (1) an OSS dies during reads --------------------------------------------
drop_caches
deg0=$(stat_of degraded_reads)
(
	for i in 1 2 3 4; do
		cmp "$REF/f$i" "$MNT/ec41/f$i" || exit 1
	done
) &
reader=$!
sleep 0.3
kd_kill9 oss3
wait $reader || fail "a read returned wrong data or failed while oss3 died"
drop_caches
for i in 1 2 3 4; do
	cmp "$REF/f$i" "$MNT/ec41/f$i" || fail "f$i differs with oss3 down"
done
deg1=$(stat_of degraded_reads)
echo "degraded_reads $deg0 -> $deg1"
[ "$deg1" -gt "$deg0" ] || fail "degraded_reads did not rise"

kd_start_oss 3
kd_wait_port "$(kd_oport 3)"
sleep 4
drop_caches
for i in 1 2 3 4; do
	cmp "$REF/f$i" "$MNT/ec41/f$i" || fail "f$i differs after oss3 restarted"
done
echo "oss kill: ok"

# ---- (2) bit flips in a stored fragment -------------------------------------
head -c 1048576 /dev/urandom > "$REF/flip"
cp "$REF/flip" "$MNT/ec41/flip" || fail "cp flip"
sync
ino=$(stat -c %i "$MNT/ec41/flip")
hex=$(printf '%016x' "$ino")
# the data file of fragment 0 of slot 0 on whichever target holds it
obj=$(find "$KD"/t*/objects -name "$hex-00000000-0000.d" | head -n 1)
[ -n "$obj" ] || fail "no object file for inode $hex"
python3 - "$obj" <<'PY' || fail "flipping bits"
import sys
p = sys.argv[1]
with open(p, "r+b") as f:
    f.seek(100)
    b = bytearray(f.read(8))
    for i in range(len(b)):
        b[i] ^= 0x5a
    f.seek(100)
    f.write(b)
PY
echo "flipped bits in $obj"
ck0=$(stat_of checksum_errors)
drop_caches
cmp "$REF/flip" "$MNT/ec41/flip" || fail "read after a bit flip returned wrong data"
ck1=$(stat_of checksum_errors)
echo "checksum_errors $ck0 -> $ck1"
[ "$ck1" -gt "$ck0" ] || fail "checksum_errors did not rise"
echo "kdata faults: ok"
