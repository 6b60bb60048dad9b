#!/bin/bash
# The largest stripe unit (64 MiB), where one fragment holds more than one
# message can carry (LEOFS_MAX_IO, 16 MiB): 6 OSS on 127.0.0.1. EC 4+1:
# a file written whole (column slices), then partial writes that cross
# from one unit into the next and that cover 16 MiB at an unaligned
# offset (read-modify-write over more columns than one message), each
# range verified byte for byte; replica 2: a partial write into a new
# file and a truncate inside a stripe (the zeroed tail is 32 MiB of one
# fragment); then, with a data member of the EC stripe killed (kill -9),
# the same ranges read degraded, reconstructed in windows of 16 MiB.
# Every node's coordination memory is limited to 64 MiB, less than one
# such read or read-modify-write needs (about 200 MiB each), so each runs
# alone on its node: four whole-file degraded reads at once must queue
# there (the log says so), and still all return every byte.
. "$(dirname "$0")/lib.sh"

NODES=6
UUID=3c9a1e57-6b2d-4f80-a1c3-5e7d9b0f2a46
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
U=$((64 << 20))
MIB=$((1 << 20))
declare -a PORT

it_oss_static_cluster --limits '{ "coord_memory_bytes": 67108864 }' \
	$NODES $UUID "$MAP"
it_oss_start $NODES

io() { "$IO" "$MAP" $UUID "$@"; }

# EC 4+1, file 900: [0, 160 MiB) seed 1, then [X, X + 40 MiB) seed 2 across
# units 0 and 1, then [Y, Y + 16 MiB) seed 3 inside unit 1, unaligned,
# 12,300 bytes after it
X=$((U - 3 * 4096 - 7))
Y=$((U + 40 * MIB + 5))
SIZE=$((160 * MIB))
# check_ec WHAT DEGRADED: every range of file 900 reads back; DEGRADED
# ("no": none of them fell back to DEGRADED_READ, "yes": some did)
check_ec() {
	local d=0 out
	ec_range() {
		out=$(io verify 900 ec4+1 $U "$1" "$2" "$3") ||
			fail "$what: [$1, +$2) seed $3"
		d=$((d + ${out#degraded_reads }))
	}
	what=$1
	ec_range 0 $X 1
	ec_range $X $((40 * MIB)) 2
	ec_range $((X + 40 * MIB)) $((Y - X - 40 * MIB)) 1
	ec_range $Y $((16 * MIB)) 3
	ec_range $((Y + 16 * MIB)) $((SIZE - Y - 16 * MIB)) 1
	case $2 in
	no) [ $d = 0 ] || fail "$what: $d reads fell back to DEGRADED_READ" ;;
	yes) [ $d -gt 0 ] || fail "$what: no read was degraded" ;;
	esac
}
io write 900 ec4+1 $U 0 $SIZE 1 || fail "EC 4+1, 64 MiB unit: whole write"
out=$(io verify 900 ec4+1 $U 0 $SIZE 1) ||
	fail "EC 4+1, 64 MiB unit: whole read"
[ "$out" = "degraded_reads 0" ] || fail "EC 4+1, 64 MiB unit: whole read: $out"
io write 900 ec4+1 $U $X $((40 * MIB)) 2 ||
	fail "EC 4+1, 64 MiB unit: partial write across units 0 and 1"
io write 900 ec4+1 $U $Y $((16 * MIB)) 3 ||
	fail "EC 4+1, 64 MiB unit: unaligned 16 MiB partial write"
check_ec "EC 4+1, 64 MiB unit" no
echo "EC 4+1, 64 MiB unit: whole and partial writes read back"

# replica 2: a partial write into a new file; truncate inside a stripe
io write 901 r2 $U $((U / 2 + 5)) $((20 * MIB)) 4 ||
	fail "replica 2, 64 MiB unit: partial write into a new file"
out=$(io verify 901 r2 $U $((U / 2 + 5)) $((20 * MIB)) 4) ||
	fail "replica 2, 64 MiB unit: partial write reads back"
[ "$out" = "degraded_reads 0" ] || fail "replica 2, 64 MiB unit: read: $out"
io truncate r2 $U 902 || fail "replica 2, 64 MiB unit: truncate inside a stripe"
echo "replica 2, 64 MiB unit: partial write and truncate ok"

# kill the member holding unit 1 of file 900's stripe: reads reconstruct it
read -r -a pg <<< "$(io pg ec4+1 $U 900)"
[ "${#pg[@]}" = 5 ] || fail "PG of file 900: ${pg[*]}"
it_kill9 "oss${pg[1]}"
check_ec "EC 4+1, 64 MiB unit, node ${pg[1]} down" yes
echo "EC 4+1, 64 MiB unit: degraded reads ok"

# four readers of the whole file at once: their degraded reads queue for
# memory on the nodes that rebuild them
readers=()
for j in 1 2 3 4; do
	(check_ec "reader $j of 4 at once" yes) > "$IT_DIR/reader$j" 2>&1 &
	readers+=($!)
done
for j in 1 2 3 4; do
	wait "${readers[$((j - 1))]}" ||
		fail "reader $j of 4 at once: $(cat "$IT_DIR/reader$j")"
done
grep -q "coordination memory: a request for .* MiB waits" "$IT_DIR"/oss*.log ||
	fail "4 degraded readers at once: no request waited for coordination memory"
echo "EC 4+1, 64 MiB unit: 4 degraded readers at once within 64 MiB per node"

for ((i = 1; i <= NODES; i++)); do
	[ "$i" = "${pg[1]}" ] || it_stop "oss$i"
done
echo "PASS"
