# Shared helpers for integration tests (sourced, bash). Each test gets a
# private directory and free ports on 127.0.0.1; every process it starts is
# killed when the test exits, whatever happens.
#
#   . "$LEOFS_SRC/tests/integration/lib.sh"
#   it_start NAME CMD...      start CMD in the background, log to $IT_DIR/NAME.log
#   it_kill9 NAME             kill -9 it (and wait for it)
#   it_stop NAME              SIGTERM, wait up to 20 s; fails if it does not exit 0
#   it_wait_port PORT [SECS]  until something listens on 127.0.0.1:PORT
#   it_port                   print a free TCP port
#   it_oss_static_cluster [--dir D] [--reserve B] [--limits JSON] N UUID MAP
#                             format N OSS targets (ssd) as $IT_DIR/tI (D/tI),
#                             write their configs (reserve_bytes B, default 0;
#                             "limits": JSON) and a static cluster map MAP
#                             (pool "dicom", 32 PGs, width 3); ports in
#                             PORT[1..N]
#   it_oss_start N            start leofs-oss 1..N (oss1..ossN) with the configs
#                             it_oss_static_cluster wrote; wait for their ports
#   it_expect STATUS PATTERN CMD...  CMD exits STATUS with a stderr line
#                             matching PATTERN (out, err: $IT_DIR/out, err)
#   it_check_json NAME PYTHON run PYTHON assertions on the JSON in
#                             $IT_DIR/out, loaded as d
#   fail MSG                  print MSG (and the logs' tails) and exit 1

set -euo pipefail

LEOFS_SRC=${LEOFS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LEOFS_BUILD=${LEOFS_BUILD:-$LEOFS_SRC/build}
BIN=$LEOFS_BUILD/bin
ITBIN=$LEOFS_BUILD/tests/integration
IT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/leofs-it.XXXXXX")
declare -A IT_PIDS=()

it_cleanup() {
	local name
	for name in "${!IT_PIDS[@]}"; do
		kill -9 "${IT_PIDS[$name]}" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "${IT_KEEP:-0}" = 1 ]; then
		echo "kept $IT_DIR"
	else
		rm -rf "$IT_DIR"
	fi
}
trap it_cleanup EXIT

fail() {
	local f
	echo "FAIL: $*" >&2
	for f in "$IT_DIR"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 20 lines)" >&2
		tail -n 20 "$f" >&2
	done
	exit 1
}

it_port() {
	local p
	# never the same port twice in one test (they are not bound until
	# the daemons start)
	while :; do
		p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		grep -qx "$p" "$IT_DIR/ports" 2> /dev/null || break
	done
	echo "$p" >> "$IT_DIR/ports"
	echo "$p"
}

it_wait_port() {
	local port=$1 secs=${2:-20} i
	for ((i = 0; i < secs * 20; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	fail "nothing listens on port $port after ${secs}s"
}

it_start() {
	local name=$1
	shift
	"$@" >> "$IT_DIR/$name.log" 2>&1 &
	IT_PIDS[$name]=$!
}

it_pid() {
	echo "${IT_PIDS[$1]}"
}

it_kill9() {
	local pid=${IT_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "IT_PIDS[$1]"
}

it_stop() {
	local name=$1 pid=${IT_PIDS[$1]:-} i rc
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 400; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "$name did not exit within 20 s of SIGTERM"
	fi
	rc=0
	wait "$pid" || rc=$?
	unset "IT_PIDS[$name]"
	[ $rc = 0 ] || fail "$name exited with status $rc after SIGTERM"
}

it_expect() {
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" > "$IT_DIR/out" 2> "$IT_DIR/err" || rc=$?
	[ "$rc" = "$want" ] ||
		fail "'$*' exited $rc, want $want; stderr: $(cat "$IT_DIR/err")"
	if [ -n "$pat" ]; then
		grep -q -- "$pat" "$IT_DIR/err" ||
			fail "'$*': stderr lacks '$pat': $(cat "$IT_DIR/err")"
	fi
}

it_check_json() {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
$2
" "$IT_DIR/out" || fail "$1: JSON check failed: $(cat "$IT_DIR/out")"
}

it_oss_start() {
	local i
	for ((i = 1; i <= $1; i++)); do
		it_start "oss$i" "$BIN/leofs-oss" --config "$IT_DIR/oss$i.json"
	done
	for ((i = 1; i <= $1; i++)); do it_wait_port "${PORT[$i]}"; done
}

it_oss_static_cluster() {
	local dir=$IT_DIR reserve=0 limits="" n uuid map i nodes=""
	while [ $# -gt 3 ]; do
		case "$1" in
		--dir) dir=$2 ;;
		--reserve) reserve=$2 ;;
		--limits) limits="\"limits\": $2," ;;
		*) fail "it_oss_static_cluster: unknown option $1" ;;
		esac
		shift 2
	done
	n=$1 uuid=$2 map=$3
	for ((i = 1; i <= n; i++)); do
		PORT[$i]=$(it_port)
		"$BIN/leofs-oss" --format "$dir/t$i" --cluster "$uuid" \
			--target $((i * 10)) --tier ssd --weight 1 > /dev/null ||
			fail "leofs-oss --format t$i"
		nodes+="${nodes:+,}{\"id\": $i, \"addr\": \"127.0.0.1:${PORT[$i]}\", \"targets\": [{\"id\": $((i * 10)), \"weight\": 1.0, \"tier\": \"ssd\"}]}"
		cat > "$IT_DIR/oss$i.json" <<EOC
{ "node_id": $i, "listen": { "address": "127.0.0.1", "port": ${PORT[$i]} },
  "cluster_id": "$uuid",
  "targets": [ { "path": "$dir/t$i", "id": $((i * 10)), "tier": "ssd", "weight": 1 } ],
  $limits"worker_threads": 2, "group_commit_us": 200, "reserve_bytes": $reserve,
  "cluster_map": "$map" }
EOC
	done
	cat > "$map" <<EOC
{ "epoch": 1, "pool": { "id": 1, "name": "dicom", "tier": "ssd", "pg_num": 32, "width": 3 },
  "nodes": [ $nodes ] }
EOC
}
