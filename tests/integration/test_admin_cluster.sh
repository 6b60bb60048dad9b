#!/bin/bash
# leofs-admin against a real local cluster: one MDS (map authority,
# shards 0 and 1) and six OSS nodes with one sata target each, all on
# 127.0.0.1. Checks status, node list/show, pool list, layout get/set
# (with local refusals) and pool create (a new epoch), parsing the JSON output; then
# kills one OSS and checks that status reports it and its PGs.
. "$(dirname "$0")/lib.sh"

ADMIN=$BIN/leofs-admin
for b in leofs-admin leofs-mds leofs-oss; do
	[ -x "$BIN/$b" ] || fail "$BIN/$b not built"
done
"$BIN/leofs-mds" --help 2>&1 | grep -q -- "--init" ||
	fail "leofs-mds has no --init: the daemons do not serve yet"
unset LEOFS_MDS

UUID=5c1e0f00-aaaa-4bbb-8ccc-0123456789ab
NOSS=6
mport=$(it_port)
declare -a oport

# ---- targets, configurations ---------------------------------------------------
nodes=""
for ((i = 1; i <= NOSS; i++)); do
	oport[$i]=$(it_port)
	"$ADMIN" target format "$IT_DIR/t$i" --cluster $UUID --target $((10 + i)) \
		--tier sata --weight 100 > /dev/null || fail "target format t$i"
	cat > "$IT_DIR/oss$i.json" <<-JSON
	{ "node_id": $i,
	  "listen": { "address": "127.0.0.1", "port": ${oport[$i]} },
	  "cluster_id": "$UUID",
	  "targets": [ { "path": "$IT_DIR/t$i", "id": $((10 + i)),
	                 "tier": "sata", "weight": 100 } ],
	  "reserve_bytes": 0,
	  "mds": [ "127.0.0.1:$mport" ] }
	JSON
	nodes+="${nodes:+,}{ \"id\": $i, \"address\": \"127.0.0.1\", \"port\": ${oport[$i]},
	    \"targets\": [ { \"id\": $((10 + i)), \"tier\": \"sata\", \"weight\": 1 } ] }"
done
cat > "$IT_DIR/cluster.json" <<JSON
{ "nodes": [ $nodes ],
  "pools": [ { "id": 1, "name": "images", "tier": "sata", "pg_num": 64 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $mport } ],
  "shards": [ { "id": 0, "mds": 1 }, { "id": 1, "mds": 1 } ] }
JSON
cat > "$IT_DIR/mds.json" <<JSON
{ "node_id": 1, "cluster_id": "$UUID",
  "listen": { "address": "127.0.0.1", "port": $mport },
  "data_dir": "$IT_DIR/mds", "shards": [0, 1],
  "map": { "authority": true, "heartbeat_grace_ms": 3000 } }
JSON
mkdir -p "$IT_DIR/mds"

"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/mds.json" \
	> "$IT_DIR/init.log" 2>&1 || fail "leofs-mds --init: $(cat "$IT_DIR/init.log")"
it_start mds "$BIN/leofs-mds" --config "$IT_DIR/mds.json"
it_wait_port "$mport"
for ((i = 1; i <= NOSS; i++)); do
	it_start "oss$i" "$BIN/leofs-oss" --config "$IT_DIR/oss$i.json"
done
for ((i = 1; i <= NOSS; i++)); do
	it_wait_port "${oport[$i]}"
done

A=("$ADMIN" --mds "127.0.0.1:$mport" --cluster $UUID --timeout 5000)

# ---- status ------------------------------------------------------------------------
# every OSS up in the map and answering TARGET_STATFS
for ((try = 0; try < 100; try++)); do
	"${A[@]}" status --json > "$IT_DIR/out" 2> "$IT_DIR/err" ||
		fail "status: $(cat "$IT_DIR/err")"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if all(n["up"] and t["space_source"] == "oss"
                  for n in d["oss"] for t in n["targets"]) else 1)
' "$IT_DIR/out" && break
	sleep 0.1
done
it_check_json "status" '
assert d["cluster_id"] == "'$UUID'", d["cluster_id"]
assert d["epoch"] >= 1
assert [m["id"] for m in d["mds"]] == [1]
assert d["mds"][0]["primary_shards"] == [0, 1]
assert len(d["oss"]) == '$NOSS'
for n in d["oss"]:
    assert n["reachable"] and n["up"] and n["in"], n
    (t,) = n["targets"]
    assert t["tier"] == "sata" and t["space_source"] == "oss", t
    assert t["capacity"] > 0 and t["free"] > 0 and t["used"] >= 0, t
(p,) = d["pools"]
assert p["name"] == "images" and p["pg_num"] == 64 and p["targets"] == 6, p
assert p["targets_reported"] == 6 and p["capacity"] > 0, p
assert d["pg_health"], d["pg_health"]
for h in d["pg_health"]:
    assert h["pool"] == "images" and h["pg_num"] == 64, h
    assert h["clean"] == 64 and h["degraded"] == 0 and h["read_only"] == 0, h
assert d["statfs"] is None or d["statfs"]["source"] == "mds"
'
"${A[@]}" status > "$IT_DIR/out" || fail "status (table)"
for s in "Metadata servers" "Storage servers and targets" "Placement groups" \
	"Capacity"; do
	grep -q "$s" "$IT_DIR/out" || fail "status table lacks '$s'"
done

# ---- nodes and pools ------------------------------------------------------------------
"${A[@]}" node list --json > "$IT_DIR/out" || fail "node list"
it_check_json "node list" '
assert sorted(n["id"] for n in d["oss"]) == list(range(1, 7))
assert all(n["targets"] == 1 and n["tiers"] == "sata" for n in d["oss"])
assert d["mds"][0]["address"] == "127.0.0.1:'$mport'"
'
"${A[@]}" node show 3 --json > "$IT_DIR/out" || fail "node show 3"
it_check_json "node show" '
assert d["type"] == "oss" and d["id"] == 3 and d["reachable"]
assert d["targets"][0]["id"] == 13 and d["targets"][0]["reported"]
'
"${A[@]}" node show mds 1 --json > "$IT_DIR/out" || fail "node show mds 1"
it_check_json "node show mds" 'assert d["type"] == "mds" and "0(primary)" in d["shards"]'
"${A[@]}" node show 99 > /dev/null 2> "$IT_DIR/err" && fail "node show 99"
grep -q "no OSS node 99" "$IT_DIR/err" || fail "node show 99 message"
"${A[@]}" pool list --json > "$IT_DIR/out" || fail "pool list"
it_check_json "pool list" '
(p,) = d["pools"]
assert (p["id"], p["name"], p["tier"], p["pg_num"], p["targets"], p["nodes"]) \
    == (1, "images", "sata", 64, 6, 6), p
'

# ---- layouts ---------------------------------------------------------------------------
"${A[@]}" layout get / --json > "$IT_DIR/out" || fail "layout get /"
it_check_json "layout get /" 'assert d["path"] == "/" and d["ino"] == 1 and "scheme" in d'
"${A[@]}" layout set / --pool images --ec 4+1 --unit 1M --count 2 --json \
	> "$IT_DIR/out" 2> "$IT_DIR/err" || fail "layout set: $(cat "$IT_DIR/err")"
it_check_json "layout set" '
assert (d["pool"], d["scheme"], d["k"], d["m"]) == ("images", "ec", 4, 1), d
assert d["stripe_unit"] == 1 << 20 and d["stripe_count"] == 2, d
'
"${A[@]}" layout set / --replica 3 > /dev/null || fail "layout set --replica"
"${A[@]}" layout get / --json > "$IT_DIR/out" || fail "layout get / again"
it_check_json "layout get after set" '
assert (d["scheme"], d["copies"], d["stripe_unit"]) == ("replica", 3, 1 << 20), d
'
refuse() {
	local pat=$1
	shift
	"${A[@]}" layout set / "$@" > /dev/null 2> "$IT_DIR/err" &&
		fail "layout set $* was accepted"
	grep -q "$pat" "$IT_DIR/err" || fail "layout set $*: $(cat "$IT_DIR/err")"
}
refuse "needs 10 nodes with a sata target, pool images has 6" --ec 8+2
refuse "invalid layout: .*unit" --unit 12288
refuse "invalid layout: .*count" --count 300
refuse "no pool 'tape'" --pool tape
"${A[@]}" layout get /no/such/dir > /dev/null 2> "$IT_DIR/err" &&
	fail "layout get of a missing path"
grep -q "/no: No such file or directory" "$IT_DIR/err" ||
	fail "layout get missing path: $(cat "$IT_DIR/err")"
"${A[@]}" layout set / --replica 1 > /dev/null || fail "layout set replica 1"

# ---- pool create: a new pool in a new map epoch -----------------------------------------
e1=$("${A[@]}" pool list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["epoch"])')
"${A[@]}" pool create scans --tier ssd --pgs 32 --json > "$IT_DIR/out" ||
	fail "pool create"
it_check_json "pool create" "
assert d['pool'] == 'scans' and d['id'] == 2 and d['pg_num'] == 32, d
assert d['tier'] == 'ssd' and d['epoch'] > $e1, d
"
"${A[@]}" pool list --json > "$IT_DIR/out" || fail "pool list after create"
it_check_json "pool list after create" "
p = {p['name']: p for p in d['pools']}
assert d['epoch'] > $e1 and set(p) == {'images', 'scans'}, d
assert p['scans']['id'] == 2 and p['scans']['pg_num'] == 32, p
assert p['scans']['tier'] == 'ssd', p
"
"${A[@]}" pool create scans --tier sata --pgs 8 > /dev/null 2> "$IT_DIR/err" &&
	fail "pool create of a used name succeeded"
grep -q "a pool named 'scans' exists already" "$IT_DIR/err" ||
	fail "pool create of a used name: $(cat "$IT_DIR/err")"

# ---- one OSS dies ----------------------------------------------------------------------
it_kill9 oss2
for ((try = 0; try < 300; try++)); do
	"${A[@]}" status --json --layout images=replica:3 \
		--layout images=ec:4+1 > "$IT_DIR/out" || fail "status after kill"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
up = {n["id"]: n["up"] for n in d["oss"]}
sys.exit(0 if not up[2] and all(up[i] for i in (1, 3, 4, 5, 6)) else 1)
' "$IT_DIR/out" && break
	sleep 0.1
done
it_check_json "status with OSS 2 down" '
n = {n["id"]: n for n in d["oss"]}
assert not n[2]["up"] and not n[2]["reachable"], n[2]
assert n[2]["targets"][0]["space_source"] == "none", n[2]
assert all(n[i]["reachable"] for i in (1, 3, 4, 5, 6))
h = {x["scheme"]: x for x in d["pg_health"]}
r3, ec = h["replica 3"], h["ec 4+1"]
assert r3["degraded"] > 0 and r3["read_only"] == 0, r3
assert r3["clean"] + r3["degraded"] == 64, r3
# EC 4+1 has min_size 5: a PG missing a member is read-only
assert ec["read_only"] > 0 and ec["degraded"] == 0, ec
assert ec["clean"] + ec["read_only"] == 64, ec
p = {p["name"]: p for p in d["pools"]}["images"]
assert p["targets_reported"] == 5, p
'
"${A[@]}" status > "$IT_DIR/out" || fail "status table after kill"
grep -q "unreachable" "$IT_DIR/out" || fail "status table does not say unreachable"
grep -q "not reported" "$IT_DIR/out" || fail "status table: space of OSS 2"

echo "test_admin_cluster: ok"
