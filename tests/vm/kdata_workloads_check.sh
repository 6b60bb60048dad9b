#!/bin/bash
# Real programs on leofs.ko against a real cluster in the guest (EC 4+1):
# dbench; rsync -a of a directory tree into the mount and back out, with
# every file's checksum, mode, time and link compared; and a DICOM study of
# several hundred images received by dcmtk's storescp straight into the
# mount, then parsed by dcmdump and checksummed, also after the page cache
# is dropped.
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"
for p in dbench rsync storescp storescu dcmdump; do
	command -v $p > /dev/null || fail "$p is not installed"
done
IMAGES=${KDATA_IMAGES:-300}
RSYNC_DIRS=${KDATA_RSYNC_DIRS:-netfilter netfilter_ipv4 usb can dvb}

kdata_cluster_start
layout_dir w "pool=images scheme=ec k=4 m=1 unit=65536 count=1"

# ---- dbench
loadfile=$(ls /usr/share/dbench/client.txt* 2>/dev/null | head -n 1)
[ -n "$loadfile" ] || fail "dbench's client.txt not found"
case "$loadfile" in
*.gz) zcat "$loadfile" > /tmp/dbench-client.txt && loadfile=/tmp/dbench-client.txt ;;
esac
mkdir -p "$MNT/w/dbench"
dbench -c "$loadfile" -D "$MNT/w/dbench" -t "${KDATA_DBENCH_S:-30}" 2 \
	> /tmp/dbench.log 2>&1 || fail "dbench: $(tail -n 20 /tmp/dbench.log)"
grep -q "Throughput" /tmp/dbench.log || fail "dbench printed no result"
# (dbench only warns when it cannot make its start barrier's semaphore)
grep -iE "error|failed" /tmp/dbench.log | grep -v "barrier semaphore" |
	head -n 5 | grep . &&
	fail "dbench reported errors"
echo "dbench: $(grep Throughput /tmp/dbench.log)"
rm -rf "$MNT/w/dbench" || fail "rm -rf of dbench's tree"

# ---- rsync -a in and back out
TREE=/tmp/rs-src
rm -rf $TREE /tmp/rs-back
mkdir -p $TREE
# about 140 files in nested directories (a bigger tree only takes longer
# under emulation)
mkdir -p $TREE/linux
for d in $RSYNC_DIRS; do
	cp -a /usr/include/linux/$d $TREE/linux/ || fail "copy the source tree"
done
cp -a /usr/include/linux/fs.h $TREE/linux/ || fail "copy fs.h"
head -c 3000000 /dev/urandom > $TREE/big.bin
ln -s linux/fs.h $TREE/link-to-fs.h
chmod 600 $TREE/big.bin
touch -d "2001-02-03 04:05:06" $TREE/big.bin
# rsync -a compares times in whole seconds and leaves alone an entry whose
# time falls in the same second as the source's: give the entries made
# just now (the link, the directories) times of their own, with
# nanoseconds, so that every time is compared exactly
touch -h -d "2002-03-04 05:06:07.123456789" $TREE/link-to-fs.h
touch -d "2003-04-05 06:07:08.987654321" $TREE/linux $TREE
rsync -a $TREE/ "$MNT/w/rs/" || fail "rsync -a into the mount"
drop_caches
rsync -a "$MNT/w/rs/" /tmp/rs-back/ || fail "rsync -a out of the mount"
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
meta() {
	(cd "$1" && find . -printf '%y %m %s %T@ %l %p\n' | sort -k6)
}
[ "$(sums $TREE)" = "$(sums /tmp/rs-back)" ] || fail "rsync: contents differ"
[ "$(meta $TREE)" = "$(meta /tmp/rs-back)" ] ||
	fail "rsync: modes, sizes, times or links differ: $(diff <(meta $TREE) <(meta /tmp/rs-back) | head -n 5)"
echo "rsync: $(find $TREE -type f | wc -l) files in and back out, identical"

# ---- DICOM: storescp into the mount
STUDY=/tmp/study
/usr/bin/python3 "$LEOFS_SRC/scripts/make-study" $STUDY --images "$IMAGES" \
	--size 128 > /dev/null || fail "make-study"
mkdir -p "$MNT/w/study"
storescp -od "$MNT/w/study" -aet LEOFS 11112 > /tmp/storescp.log 2>&1 &
scp=$!
# storescu needs storescp listening (slow to start under emulation)
for _ in $(seq 300); do
	ss -ltn 'sport = :11112' | grep -q LISTEN && break
	sleep 0.1
done
storescu -aec LEOFS 127.0.0.1 11112 $STUDY/*.dcm > /tmp/storescu.log 2>&1 ||
	fail "storescu: $(tail -n 5 /tmp/storescu.log)"
kill $scp
wait $scp 2> /dev/null
n=$(ls "$MNT/w/study" | wc -l)
[ "$n" = "$IMAGES" ] || fail "$n images stored, $IMAGES sent"
uids() { dcmdump -q +P SOPInstanceUID "$@" | sed -n 's/.*UI \[\(.*\)\].*/\1/p' | sort; }
sent=$(uids $STUDY/*.dcm)
[ "$(echo "$sent" | wc -l)" = "$IMAGES" ] || fail "dcmdump of the sent study"
[ "$(uids "$MNT"/w/study/*)" = "$sent" ] || fail "stored SOP instances differ"
# every stored dataset equals the one sent (storescp writes its own file
# meta header, so that group is left out)
/usr/bin/python3 - $STUDY "$MNT/w/study" <<'PY' || fail "stored datasets differ from the sent ones"
import os, sys
import pydicom
sent, stored = sys.argv[1], sys.argv[2]
by_uid = {}
for f in os.listdir(stored):
    ds = pydicom.dcmread(os.path.join(stored, f))
    by_uid[ds.SOPInstanceUID] = ds
for f in sorted(os.listdir(sent)):
    a = pydicom.dcmread(os.path.join(sent, f))
    b = by_uid.get(a.SOPInstanceUID)
    if b is None or a.PixelData != b.PixelData or \
            [e for e in a if e.tag != 0x7FE00010] != [e for e in b if e.tag != 0x7FE00010]:
        print("FAIL: dataset of", f, "differs")
        sys.exit(1)
PY
(cd "$MNT/w/study" && sha256sum *) > /tmp/study.sums
drop_caches
(cd "$MNT/w/study" && sha256sum -c --quiet /tmp/study.sums) ||
	fail "stored images changed after dropping the cache"
[ "$(uids "$MNT"/w/study/*)" = "$sent" ] ||
	fail "stored SOP instances differ after dropping the cache"
echo "dicom: $IMAGES images stored by storescp, parsed and checksummed"
[ "$(stat_of write_errors)" = 0 ] || fail "write errors counted"
echo "kdata workloads: ok"
