#!/bin/bash
# fio with verify=crc32c through leofs.ko: sequential and random writes,
# several jobs, in EC 4+1 and replica 2, each verified after writing and
# again after the page cache is dropped. KDATA_FIO_DIRS picks the layouts
# (ec41, r2).
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"
command -v fio > /dev/null || fail "fio is not installed"

kdata_cluster_start
layout_dir ec41 "pool=images scheme=ec k=4 m=1 unit=65536 count=2"
layout_dir r2 "pool=images scheme=replica n=2 unit=65536 count=2"

run_fio() { # DIR NAME RW BS [extra...]
	local dir=$1 name=$2 rw=$3 bs=$4 log=/tmp/kdata/fio-$1-$2
	shift 4
	local args=(--name="$name" --directory="$MNT/$dir" --rw="$rw" --bs="$bs"
		--size=4m --numjobs=3 --ioengine=psync --fallocate=none
		--verify=crc32c --verify_fatal=1 --verify_state_save=0
		--group_reporting "$@")
	fio "${args[@]}" --do_verify=1 --end_fsync=1 > "$log.log" 2>&1 ||
		fail "fio $dir $name: $(tail -n 20 "$log.log")"
	# verify again, from the servers
	drop_caches
	fio "${args[@]}" --verify_only=1 > "$log-v.log" 2>&1 ||
		fail "fio $dir $name (verify only): $(tail -n 20 "$log-v.log")"
	echo "fio $dir $name: ok"
}

for d in ${KDATA_FIO_DIRS:-ec41 r2}; do
	run_fio "$d" seq write 1m
	run_fio "$d" rnd randwrite 4k
	# 12 KiB at 512-byte offsets: fio's verify-only pass needs the file
	# laid out whole (overwrite) and a size that is a multiple of 12 KiB
	run_fio "$d" rndu randwrite 12k --blockalign=512 --size=4032k --overwrite=1
	run_fio "$d" dio randwrite 64k --direct=1
done
echo "degraded_reads $(stat_of degraded_reads) write_errors $(stat_of write_errors)"
[ "$(stat_of write_errors)" = 0 ] || fail "write errors counted"
echo "kdata fio: ok"
