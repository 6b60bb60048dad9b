#!/bin/bash
# Crash during writes: a client writes and overwrites (whole stripes, pieces
# of a unit, pieces across units) in EC 4+2 on 6 OSS while the test kills
# -9 an OSS and restarts it, alternating the primary of a PG the workload
# writes and one of its members, LEOFS_OSS_KILLS times (default 22).
# Afterwards every acknowledged write reads back exactly, and no
# unacknowledged write is torn inside a stripe.
. "$(dirname "$0")/lib.sh"

NODES=6
KILLS=${LEOFS_OSS_KILLS:-22}
SCHEME=${LEOFS_OSS_CRASH_SCHEME:-ec4+2}
UUID=7e1d2c3b-4a59-4687-8a9b-0c1d2e3f4a5b
MAP=$IT_DIR/map.json
IO=$ITBIN/oss_io
LOG=$IT_DIR/writes.log
declare -a PORT

it_oss_static_cluster $NODES $UUID "$MAP"

start() {
	it_start "oss$1" "$BIN/leofs-oss" --config "$IT_DIR/oss$1.json"
}

acked() {
	grep -c '^A' "$LOG" || true
}

for ((i = 1; i <= NODES; i++)); do start $i; done
for ((i = 1; i <= NODES; i++)); do it_wait_port "${PORT[$i]}"; done

read -r -a pg <<< "$("$IO" "$MAP" $UUID pg $SCHEME 65536 1000)"
primary=${pg[0]}
member=${pg[${#pg[@]} - 1]}
echo "PG of ino 1000: nodes ${pg[*]}; killing $primary (primary) and $member (member)"

it_start churn "$IO" "$MAP" $UUID churn $SCHEME 65536 "$LOG"
sleep 1
for ((k = 1; k <= KILLS; k++)); do
	((k % 2)) && victim=$primary || victim=$member
	before=$(acked)
	sleep "0.$((RANDOM % 6 + 2))"
	kill -0 "$(it_pid churn)" 2> /dev/null || fail "the workload died"
	it_kill9 "oss$victim"
	sleep "0.$((RANDOM % 4 + 1))"
	start $victim
	it_wait_port "${PORT[$victim]}"
	# progress: the workload gets writes through between kills
	for ((w = 0; w < 100 && $(acked) == before; w++)); do sleep 0.1; done
	[ "$(acked)" -gt "$before" ] || fail "no write acknowledged around kill $k"
done
it_kill9 churn
echo "$KILLS kills; $(grep -c '^W' "$LOG") writes sent, $(acked) acknowledged"

sleep 2.5 # the servers' memory of down members
"$IO" "$MAP" $UUID check $SCHEME 65536 "$LOG" || fail "check after $KILLS kills"
for ((i = 1; i <= NODES; i++)); do it_stop "oss$i"; done
echo "PASS"
