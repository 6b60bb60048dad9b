#!/bin/bash
# The kernel client benchmark, inside the QEMU guest (scripts/run-bench runs
# it through scripts/vm-run with leofs.ko loaded). The same fio runs go to
#   leofs: a real cluster in the guest (1 MDS, 6 OSS on tmpfs), mounted
#          with leofs.ko, into a directory with the EC 4+1 image layout;
#   ext4:  ext4 on a loop device backed by the same tmpfs (the baseline,
#          measured in the same boot).
# Each figure is printed as one line "KCLIENT-JSON {...}" in the form of
# the other benchmarks; the host collects those lines from the console.
# Absolute figures mean little under emulation; the ratios are the result.
set -u
. "$LEOFS_SRC/tests/vm/kdata_lib.sh"
command -v fio > /dev/null || fail "fio is not installed"

SEQ_MB=${KCLIENT_SEQ_MB:-64}
NFILES=${KCLIENT_NFILES:-200}
EXT4=/tmp/kbench-ext4

kdata_cluster_start
layout_dir bench "pool=images scheme=ec k=4 m=1 unit=65536 count=1"

truncate -s $((SEQ_MB * 2 + 256))M /tmp/kbench-ext4.img
mkfs.ext4 -q -F /tmp/kbench-ext4.img || fail "mkfs.ext4"
modprobe -a loop ext4 2> /dev/null
mkdir -p "$EXT4"
mount -o loop /tmp/kbench-ext4.img "$EXT4" || fail "mount ext4 on loop"
trap 'umount "$EXT4" 2>/dev/null; kdata_cleanup' EXIT

# fio_json DIR NAME [args...]: one fio job, its JSON on stdout
fio_json() {
	local dir=$1 name=$2
	shift 2
	fio --name="$name" --directory="$dir" --ioengine=psync \
		--output-format=json "$@" 2> "/tmp/fio-$name.err" ||
		fail "fio $name in $dir: $(tail -n 5 "/tmp/fio-$name.err")"
}

# mbps RW < fio JSON: MB/s of the job; files_per_s RW: files per second
mbps() {
	python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0][sys.argv[1]]
print("%.3f" % (j["io_bytes"] / 1e6 / (j["runtime"] / 1e3)))' "$1"
}

files_per_s() {
	python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0][sys.argv[1]]
print("%.3f" % (int(sys.argv[2]) / (j["runtime"] / 1e3)))' "$1" "$NFILES"
}

emit() { # NAME VALUE UNIT BASELINE
	python3 -c '
import json, sys
n, v, u, b = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
print("KCLIENT-JSON " + json.dumps({"name": n, "value": v, "unit": u,
      "baseline": b, "ratio": round(v / b, 4) if b else 0}))' "$@"
}

# run_all DIR: prints "seq_write seq_read small_create small_read"
run_all() {
	local d=$1 w r c s
	w=$(fio_json "$d" seq --rw=write --bs=1M --size=${SEQ_MB}m \
		--end_fsync=1 | mbps write)
	drop_caches
	r=$(fio_json "$d" seq --rw=read --bs=1M --size=${SEQ_MB}m | mbps read)
	mkdir -p "$d/small"
	c=$(fio_json "$d/small" small --rw=write --bs=64k --filesize=64k \
		--nrfiles=$NFILES --openfiles=1 --file_service_type=sequential \
		--create_on_open=1 --fsync_on_close=1 | files_per_s write)
	drop_caches
	s=$(fio_json "$d/small" small --rw=read --bs=64k --filesize=64k \
		--nrfiles=$NFILES --openfiles=1 \
		--file_service_type=sequential | files_per_s read)
	echo "$w $r $c $s"
}

read -r lw lr lc ls < <(run_all "$MNT/bench")
read -r ew er ec es < <(run_all "$EXT4")
for v in "$lw" "$lr" "$lc" "$ls" "$ew" "$er" "$ec" "$es"; do
	[ -n "$v" ] || fail "a fio run gave no figure"
done
emit kclient.seq_write.ec4+1 "$lw" MB/s "$ew"
emit kclient.seq_read.ec4+1 "$lr" MB/s "$er"
emit kclient.small_create.ec4+1 "$lc" files/s "$ec"
emit kclient.small_read.ec4+1 "$ls" files/s "$es"
echo "write_errors $(stat_of write_errors) degraded_reads $(stat_of degraded_reads)"
