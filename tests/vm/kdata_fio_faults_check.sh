#!/bin/bash
# A storage server killed during fio's verify run, through leofs.ko, in
# EC 4+1 on 6 OSS: data written before the failure reads back correct
# (degraded reads), fio's writes and verification carry on while the
# failure is noticed and the PGs move, and after the OSS restarts
# everything written in every phase verifies again from the servers.
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"
command -v fio > /dev/null || fail "fio is not installed"

kdata_cluster_start
layout_dir ec41 "pool=images scheme=ec k=4 m=1 unit=65536 count=2"

# fio_write NAME: write then verify (crc32c) 3 files of 12 MiB
fio_args() {
	echo --name="$1" --directory="$MNT/ec41" --rw=randwrite --bs=64k \
		--size=12m --numjobs=3 --ioengine=psync --fallocate=none \
		--verify=crc32c --verify_fatal=1 --verify_state_save=0 \
		--group_reporting
}
fio_write() {
	fio $(fio_args "$1") --do_verify=1 --end_fsync=1 > "/tmp/fio-$1.log" 2>&1
}
fio_verify() {
	fio $(fio_args "$1") --verify_only=1 > "/tmp/fio-$1-v.log" 2>&1 ||
		fail "fio $1 (verify only, $2): $(tail -n 20 "/tmp/fio-$1-v.log")"
}

fio_write before || fail "fio before: $(tail -n 20 /tmp/fio-before.log)"
drop_caches
deg0=$(stat_of degraded_reads)

# kill OSS 3 while fio writes and verifies
fio_write during &
fio_pid=$!
sleep "${KDATA_KILL_AFTER:-1}"
kd_kill9 oss3
echo "OSS 3 killed"
wait $fio_pid || fail "fio during the failure: $(tail -n 20 /tmp/fio-during.log)"
echo "fio wrote and verified during the failure"
drop_caches
fio_verify before "one OSS down"
fio_verify during "one OSS down"
deg1=$(stat_of degraded_reads)
[ "$deg1" -gt "$deg0" ] || fail "no degraded read counted ($deg0 -> $deg1)"
fio_write down || fail "fio with one OSS down: $(tail -n 20 /tmp/fio-down.log)"

# restart: everything resumes, and all of it reads back from the servers
kd_start_oss 3
kd_wait_port "$(kd_oport 3)"
fio_write after || fail "fio after the restart: $(tail -n 20 /tmp/fio-after.log)"
drop_caches
for p in before during down after; do
	fio_verify $p "after the restart"
done
echo "degraded_reads $deg0 -> $deg1 -> $(stat_of degraded_reads)," \
	"write_errors $(stat_of write_errors), retries $(stat_of data_retries)"
[ "$(stat_of write_errors)" = 0 ] || fail "write errors counted"
echo "kdata fio faults: ok"
