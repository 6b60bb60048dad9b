#!/bin/bash
# leofs-admin without a cluster: help for every command, error cases
# (unknown command, bad arguments, unreachable and silent MDS) with their
# exit status and message, target format and the refusal to format twice,
# and pool create answered NOTSUP by a server that lacks it.
. "$(dirname "$0")/lib.sh"

ADMIN=$BIN/leofs-admin
[ -x "$ADMIN" ] || fail "$ADMIN not built"
unset LEOFS_MDS

# ---- help ---------------------------------------------------------------
"$ADMIN" --help | grep -q "usage: leofs-admin" || fail "--help"
"$ADMIN" help layout set | grep -q "usage: leofs-admin layout set" ||
	fail "help layout set"
for cmd in status "node list" "node show" "pool list" "pool create" \
	"layout get" "layout set" "target format" "client list" \
	"client show" "client stats"; do
	# shellcheck disable=SC2086
	out=$("$ADMIN" $cmd --help) || fail "'$cmd --help' failed"
	grep -q "usage: leofs-admin $cmd" <<< "$out" ||
		fail "'$cmd --help' lacks its usage line"
done
for grp in node pool layout target client; do
	"$ADMIN" "$grp" --help | grep -q "usage: leofs-admin $grp " ||
		fail "'$grp --help'"
done

# ---- usage errors: exit 2 --------------------------------------------------
it_expect 2 "usage: leofs-admin" "$ADMIN"
it_expect 2 "unknown command 'frobnicate'" "$ADMIN" frobnicate
it_expect 2 "unknown subcommand 'explode'" "$ADMIN" node explode
it_expect 2 "missing subcommand" "$ADMIN" layout
it_expect 2 "unknown option '--bogus'" "$ADMIN" status --bogus
it_expect 2 "unknown option '--bogus'" "$ADMIN" --bogus status
it_expect 2 "no metadata server" "$ADMIN" status
it_expect 2 "--timeout: want" "$ADMIN" --timeout 0 status
it_expect 2 "--timeout: want" "$ADMIN" status --timeout abc
it_expect 2 "--cluster: not a UUID" "$ADMIN" --cluster xyz status
it_expect 2 "--mds: want HOST:PORT" "$ADMIN" --mds "a:99999" status
it_expect 2 "--mds: want HOST:PORT" "$ADMIN" --mds "a,,b" status
it_expect 2 "unexpected argument 'extra'" "$ADMIN" --mds 127.0.0.1:1 status extra
it_expect 2 "--layout: want POOL=" "$ADMIN" status --layout images=raid5
it_expect 2 "missing node ID" "$ADMIN" node show
it_expect 2 "want 'oss' or 'mds'" "$ADMIN" node show osd 1
it_expect 2 "bad node ID" "$ADMIN" node show 0
it_expect 2 "missing PATH" "$ADMIN" layout get
it_expect 2 "want an absolute path" "$ADMIN" layout get images
it_expect 2 "--ec: want K+M" "$ADMIN" layout set /x --ec 4
it_expect 2 "--ec: want K+M" "$ADMIN" layout set /x --ec 17+1
it_expect 2 "--replica: want 1..4" "$ADMIN" layout set /x --replica 5
it_expect 2 "one of --replica and --ec" "$ADMIN" layout set /x --replica 2 --ec 4+1
it_expect 2 "--unit: not a size" "$ADMIN" layout set /x --unit 1MB
it_expect 2 "nothing to change" "$ADMIN" layout set /x
it_expect 2 "--tier is required" "$ADMIN" pool create p --pgs 8
it_expect 2 "--pgs: want" "$ADMIN" pool create p --tier ssd --pgs 0
it_expect 2 "--tier: want ssd" "$ADMIN" pool create p --tier tape --pgs 8
it_expect 2 "missing MOUNT_ID" "$ADMIN" client show
it_expect 2 "bad MOUNT_ID" "$ADMIN" client stats x

# ---- unreachable cluster: exit 1 within the timeout -------------------------
port=$(it_port)	# nothing listens there
it_expect 1 "cannot reach the cluster.*127.0.0.1:$port: connection refused" \
	"$ADMIN" --mds "127.0.0.1:$port" status
LEOFS_MDS="127.0.0.1:$port" it_expect 1 "cannot reach the cluster" \
	"$ADMIN" node list

# a server that accepts but never answers: the timeout must hold
silent=$(it_port)
it_start silent python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$silent"
it_wait_port "$silent"
start=$(date +%s%N)
it_expect 1 "cannot reach the cluster within 700 ms.*no answer" \
	"$ADMIN" --timeout 700 --mds "127.0.0.1:$silent,127.0.0.1:$port" \
	pool list
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -lt 3000 ] || fail "--timeout 700 took ${elapsed} ms"

# ---- the kernel module (absent on the build host) ----------------------------
if ! grep -qw leofs /proc/modules 2>/dev/null; then
	it_expect 1 "leofs kernel module not loaded (no generic netlink family 'leofs')" \
		"$ADMIN" client list
	it_expect 1 "leofs kernel module not loaded" "$ADMIN" client stats --json
fi

# ---- target format ---------------------------------------------------------------
uuid=0b4c6a52-5a3e-4f0e-9a53-7f43e1c9d2a1
t=$IT_DIR/t0
it_expect 2 "--cluster UUID is required" \
	"$ADMIN" target format "$t" --target 1 --tier ssd --weight 10
it_expect 2 "--tier: want ssd" "$ADMIN" target format "$t" --cluster $uuid \
	--target 1 --tier disk --weight 10
it_expect 2 "--weight: want 1..1000000" "$ADMIN" target format "$t" \
	--cluster $uuid --target 1 --tier ssd --weight 0
it_expect 2 "--target: want" "$ADMIN" target format "$t" --cluster $uuid \
	--target x --tier ssd --weight 1
"$ADMIN" --json target format "$t" --cluster $uuid --target 7 --tier sas \
	--weight 100 > "$IT_DIR/fmt.json" || fail "target format"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["path"] == sys.argv[2], d
assert d["cluster_id"] == sys.argv[3], d
assert d["target"] == 7 and d["tier"] == "sas" and d["weight"] == 100, d
' "$IT_DIR/fmt.json" "$t" $uuid || fail "target format JSON"
[ -f "$t/leofs-target" ] || fail "no superblock after target format"
sb=$(md5sum < "$t/leofs-target")
it_expect 1 "never formatted twice" "$ADMIN" target format "$t" \
	--cluster $uuid --target 7 --tier sas --weight 100
[ "$(md5sum < "$t/leofs-target")" = "$sb" ] ||
	fail "a refused re-format changed the superblock"
mkdir "$IT_DIR/full" && touch "$IT_DIR/full/file"
it_expect 1 "not empty" "$ADMIN" target format "$IT_DIR/full" --cluster $uuid \
	--target 8 --tier ssd --weight 1
"$ADMIN" target format "$IT_DIR/t1" --cluster $uuid --target 8 --tier ssd \
	--weight 1 | grep -q "formatted $IT_DIR/t1 as target 8" ||
	fail "target format table output"

# ---- pool create against a server without POOL_CREATE -------------------------
if [ -x "$ITBIN/kfake_server" ]; then
	fport=$(it_port)
	it_start kfake "$ITBIN/kfake_server" "$fport" ok
	it_wait_port "$fport"
	it_expect 1 "pool create: not supported by this cluster" \
		"$ADMIN" --mds "127.0.0.1:$fport" pool create scans --tier ssd \
		--pgs 64
	# and the map it serves lists cleanly, as a table and as JSON
	"$ADMIN" --mds "127.0.0.1:$fport" --json node list > "$IT_DIR/nodes.json" ||
		fail "node list against kfake_server"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["epoch"] >= 1 and isinstance(d["oss"], list) and d["mds"], d
' "$IT_DIR/nodes.json" || fail "node list JSON"
	it_kill9 kfake
fi

echo "test_admin_cli: ok"
