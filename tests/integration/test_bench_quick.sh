#!/bin/bash
# Every userspace benchmark `make bench` runs still runs: each in its
# --quick form (bench_oss with one pass, its targets in this test's
# directory) exits 0 and prints only JSON lines of the documented form
# {"name","value","unit","baseline","ratio"}, with positive figures, ratio =
# value / baseline, and the rows the documentation names (the storage
# server's oss.write/oss.read for replica 2 and EC 4+1 beside loopback TCP).
# The CPU figures it prints to stderr are there for every baseline and
# phase. Figures are not judged: they are measurements, not assertions.
. "$(dirname "$0")/lib.sh"

B=$LEOFS_BUILD/tests/bench

# check_rows BENCH NAME... : stdout of BENCH in $IT_DIR/out holds NAME...
check_rows() {
	local bench=$1
	shift
	python3 - "$IT_DIR/out" "$bench" "$@" <<'EOF' || fail "$2: bad output: $(cat "$IT_DIR/out")"
import json, sys
path, bench, want = sys.argv[1], sys.argv[2], sys.argv[3:]
names = []
for n, line in enumerate(open(path), 1):
    row = json.loads(line)
    keys = {"name", "value", "unit", "baseline", "ratio"}
    assert set(row) == keys, f"line {n}: keys {sorted(row)}"
    assert row["value"] > 0 and row["baseline"] > 0, f"line {n}: {row}"
    r = row["value"] / row["baseline"]
    assert abs(row["ratio"] - r) <= 0.001 + 1e-3 * r, f"line {n}: ratio {row}"
    names.append(row["name"])
assert names, f"{bench}: no rows"
missing = [w for w in want if w not in names]
assert not missing, f"{bench}: rows missing: {missing} (has {names})"
EOF
}

run_bench() {
	local bench=$1
	shift
	[ -x "$B/$bench" ] || fail "$B/$bench not built"
	"$B/$bench" "$@" > "$IT_DIR/out" 2> "$IT_DIR/$bench.log" ||
		fail "$bench $* exited $?: $(tail -n 5 "$IT_DIR/$bench.log")"
}

run_bench bench_ec --quick
check_rows bench_ec crc.crc32c.64KiB
run_bench bench_placement --quick
check_rows bench_placement
run_bench bench_proto --quick
check_rows bench_proto proto.decode.write_stripe_1m \
	proto.decode.read_fragment_req proto.decode.read_fragment_reply_256k
run_bench bench_mds --quick
check_rows bench_mds
run_bench bench_oss --quick --passes 1 --dir "$IT_DIR"
check_rows bench_oss net.tcp.loopback net.tcp.relay net.tcp.fanin \
	disk.write disk.read oss.write.r2 oss.read.r2 oss.write.ec4+1 \
	oss.read.ec4+1
# the CPU figures on stderr: every baseline and every phase, positive
python3 - "$IT_DIR/bench_oss.log" <<'EOF' ||
import re, sys
log = open(sys.argv[1]).read()
num = r"([0-9]+\.[0-9]+)"
for b in ("net.tcp.loopback", "net.tcp.relay", "net.tcp.fanin"):
    m = re.search(re.escape(b) + r": CPU seconds per GB " + num +
                  r", CPUs busy " + num, log)
    assert m and all(float(x) > 0 for x in m.groups()), b
for phase in ("write", "read"):
    for scheme in ("r2", "ec4+1"):
        m = re.search(phase + " " + re.escape(scheme) +
                      r": CPU seconds per GB: client " + num +
                      r", servers " + num + r"; CPUs busy " + num, log)
        assert m and all(float(x) > 0 for x in m.groups()), (phase, scheme)
EOF
	fail "bench_oss: CPU lines missing: $(cat "$IT_DIR/bench_oss.log")"
# its cluster is gone with it
ls -d "$IT_DIR"/leofs-bench-oss-* 2> /dev/null &&
	fail "bench_oss left its directory behind"
echo "ok: every userspace benchmark runs and reports well-formed rows"
