#!/bin/bash
# Data integrity through leofs.ko against a real cluster in the guest, in
# replica 1/2/3 and EC 2+1, 4+1, 4+2 (and EC 4+1 with 64 MiB units, where
# a fragment is more than a message carries): files from 0 bytes to 256 MiB written
# and read back byte for byte (also after dropping the page cache and
# after a remount), written with O_DIRECT, and random unaligned
# overwrites, appends, truncates up and down, mmap writes and O_DIRECT
# I/O by the random-operation checker (tests/integration/fsx.c, 20,000
# operations per layout by default, KDATA_FSX_OPS to change).
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"

FSX=$LEOFS_SRC/build/tests/integration/fsx
FSX_OPS=${KDATA_FSX_OPS:-20000}
# layouts checked, in this order (all, or names), and those with a 64 MiB
# file and with a 256 MiB file (all, none or names)
ONLY_LAYOUTS=${KDATA_LAYOUTS:-all}
LARGE_LAYOUTS=${KDATA_LARGE_LAYOUTS:-all}
BIG_LAYOUTS=${KDATA_BIG_LAYOUTS:-all}
# and those given the random operations (all, none or names): by default
# not the one with 64 MiB units, whose truncates zero up to 256 MiB of a
# stripe by read-modify-write (500 operations take four minutes under
# emulation; 20,000 would take hours)
FSX_LAYOUTS=${KDATA_FSX_LAYOUTS:-r1 r2 r3 ec21 ec41 ec42}
has() { # LIST NAME
	case " $1 " in *" all "* | *" $2 "*) return 0 ;; esac
	return 1
}
[ -x "$FSX" ] || fail "$FSX is not built"
LAYOUTS=()
if [ "$ONLY_LAYOUTS" = all ]; then
	LAYOUTS=("${KD_LAYOUTS[@]}")
else
	for want in $ONLY_LAYOUTS; do
		for entry in "${KD_LAYOUTS[@]}"; do
			[ "${entry%%|*}" = "$want" ] && LAYOUTS+=("$entry")
		done
	done
	[ ${#LAYOUTS[@]} -gt 0 ] || fail "KDATA_LAYOUTS names no layout: $ONLY_LAYOUTS"
fi
kdata_cluster_start
REF=/tmp/kdata-ref
mkdir -p $REF
SIZES=(0 1 4095 4096 4097 65535 65537 262144 1048583 5242887 67108864)
for s in "${SIZES[@]}"; do
	head -c "$s" /dev/urandom > "$REF/f$s"
done

for entry in "${LAYOUTS[@]}"; do
	name=${entry%%|*}
	layout=${entry#*|}
	layout_dir "$name" "$layout"
	# Under emulation one read-modify-write of a 16 MiB window of all five
	# fragments (64 MiB units) takes longer than the 5 s a request is
	# given elsewhere in these tests (a few tenths of a second natively).
	case $layout in
	*unit=67108864*) echo 60 > "$SYS/timeo" || fail "timeo" ;;
	*) echo 5 > "$SYS/timeo" || fail "timeo" ;;
	esac
	got=$(getfattr --only-values -n leofs.layout "$MNT/$name" 2>/dev/null)
	echo "$name: $got"
	sizes=("${SIZES[@]}")
	has "$LARGE_LAYOUTS" "$name" || unset "sizes[-1]"
	for s in "${sizes[@]}"; do
		cp "$REF/f$s" "$MNT/$name/f$s" || fail "$name: cp f$s"
		cmp "$REF/f$s" "$MNT/$name/f$s" || fail "$name: f$s differs (cached)"
	done
	# O_DIRECT write at an unaligned size
	dd if="$REF/f1048583" of="$MNT/$name/direct" bs=65536 oflag=direct \
		status=none || fail "$name: O_DIRECT write"
	drop_caches
	for s in "${sizes[@]}"; do
		[ "$(stat -c %s "$MNT/$name/f$s")" = "$s" ] ||
			fail "$name: f$s has size $(stat -c %s "$MNT/$name/f$s")"
		cmp "$REF/f$s" "$MNT/$name/f$s" || fail "$name: f$s differs"
	done
	cmp "$REF/f1048583" "$MNT/$name/direct" || fail "$name: O_DIRECT file differs"
	dd if="$MNT/$name/f5242887" bs=1M iflag=direct status=none |
		cmp - "$REF/f5242887" || fail "$name: O_DIRECT read differs"
	# the 64 MiB file goes, to make room for the 256 MiB one
	rm -f "$MNT/$name/f67108864"
	# 256 MiB, checked by its SHA-256 (no room for a second copy)
	big=0
	has "$BIG_LAYOUTS" "$name" && big=1
	if [ $big = 1 ]; then
		head -c 256M /dev/urandom | tee "$MNT/$name/big" |
			sha256sum > "$REF/big.sum" || fail "$name: writing 256 MiB"
		drop_caches
		[ "$(sha256sum < "$MNT/$name/big")" = "$(cat "$REF/big.sum")" ] ||
			fail "$name: the 256 MiB file differs"
		rm -f "$MNT/$name/big"
	fi
	echo "$name: files$([ $big = 1 ] && echo ", 256 MiB") and O_DIRECT ok (${SECONDS}s)"
	if ! has "$FSX_LAYOUTS" "$name"; then
		echo "$name: no random operations in this run (KDATA_FSX_LAYOUTS)"
		continue
	fi
	"$FSX" -u -p 2000 -n "$FSX_OPS" -s "${#name}" "$MNT/$name/ops" 2>&1 ||
		fail "$name: random operations"
	cp "$MNT/$name/ops" "$REF/ops-$name" || fail "$name: copy the fsx file"
	drop_caches
	cmp "$REF/ops-$name" "$MNT/$name/ops" ||
		fail "$name: random-operations file differs after dropping the cache"
	echo "$name: ok (${SECONDS}s)"
done

for st in bytes_read bytes_written stripes_written partial_writes \
	fragment_reads degraded_reads checksum_errors write_errors; do
	echo "$st $(stat_of $st)"
done
[ "$(stat_of write_errors)" = 0 ] || fail "write errors counted"
[ "$(stat_of stripes_written)" -gt 0 ] || fail "no stripe written"
[ "$(stat_of partial_writes)" -gt 0 ] || fail "no partial write"

# a remount reads everything back from the servers
umount "$MNT" || fail "umount"
mount -t leofs -o timeo=5,retrans=1 "127.0.0.1:$MPORT:/" "$MNT" || fail "remount"
SYS=$(ls -d /sys/fs/leofs/* | head -n 1)
for entry in "${LAYOUTS[@]}"; do
	name=${entry%%|*}
	for s in "${SIZES[@]}"; do
		[ "$s" = 67108864 ] && continue
		cmp "$REF/f$s" "$MNT/$name/f$s" || fail "$name: f$s differs after remount"
	done
	has "$FSX_LAYOUTS" "$name" || continue
	cmp "$REF/ops-$name" "$MNT/$name/ops" ||
		fail "$name: random-operations file differs after remount"
done
[ "$(stat_of bytes_read)" -gt 0 ] || fail "nothing read after the remount"
echo "kdata integrity: ok"
