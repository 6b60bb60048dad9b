#!/bin/bash
# leofs-file against a real cluster started by scripts/local-cluster (one
# MDS serving shards 0 and 1, six OSS on 127.0.0.1): put/get round trips
# of 0 B .. 5 MiB + 13 B files in an EC 4+1 directory (on shard 1) and a
# replica 2 directory (on shard 0), compared with cmp; ls and stat as
# tables and as JSON; the refusal to overwrite and --force; rm, after
# which get fails with ENOENT and the storage servers delete the objects;
# every error case with its exit status and message; and, with one OSS
# killed (kill -9), gets that still return the right bytes, puts into PGs
# holding it (as primary, as a member) that fail within the data timeout
# and remove their half-made files, and a put with a longer timeout that
# succeeds once the MDS has marked the node out and moved its PGs.
. "$(dirname "$0")/lib.sh"

F=$BIN/leofs-file
ADMIN=$BIN/leofs-admin
MC=$ITBIN/mds_client
for b in "$F" "$ADMIN" "$BIN/leofs-mds" "$BIN/leofs-oss" "$MC"; do
	[ -x "$b" ] || fail "$b not built"
done

CL=$IT_DIR/cluster
stop_cluster() {
	[ -f "$CL/env" ] && BUILD=$LEOFS_BUILD "$LEOFS_SRC/scripts/local-cluster" \
		stop "$CL" > /dev/null 2>&1
	it_cleanup
}
trap stop_cluster EXIT
unset LEOFS_MDS
BUILD=$LEOFS_BUILD "$LEOFS_SRC/scripts/local-cluster" start "$CL" --oss 6 \
	--shards 2 --down-out-ms 45000 > "$IT_DIR/start.out" 2>&1 ||
	fail "local-cluster start: $(cat "$IT_DIR/start.out")"
for f in "$CL"/logs/*.log; do
	ln -s "$f" "$IT_DIR/$(basename "$f")" # fail() shows them
done
# shellcheck disable=SC1091
. "$CL/env"
export LEOFS_MDS

# ---- directories: EC 4+1 on shard 1, replica 2 (two slots) on shard 0 ---------
ec=$("$MC" xname "$LEOFS_MDS_PORT" ec 1) || fail "no directory name for shard 1"
rep=$("$MC" xname "$LEOFS_MDS_PORT" rep 0) || fail "no directory name for shard 0"
for d in "$ec" "$rep"; do
	"$MC" xop "$LEOFS_MDS_PORT" mkdir "$d" | grep -q '^OK ' || fail "mkdir /$d"
done
"$ADMIN" layout set "/$ec" --pool images --ec 4+1 --unit 64K > /dev/null ||
	fail "layout set /$ec"
"$ADMIN" layout set "/$rep" --pool images --replica 2 --unit 64K --count 2 \
	> /dev/null || fail "layout set /$rep"

# ---- round trips ---------------------------------------------------------------
SIZES="0 1 4095 65537 $((5 * 1024 * 1024 + 13))"
mkdir "$IT_DIR/src" "$IT_DIR/dst"
for s in $SIZES; do
	head -c "$s" /dev/urandom > "$IT_DIR/src/f$s"
done
for d in "$ec" "$rep"; do
	for s in $SIZES; do
		"$F" put "$IT_DIR/src/f$s" "/$d/f$s" 2> "$IT_DIR/err" ||
			fail "put f$s into /$d: $(cat "$IT_DIR/err")"
		"$F" get "/$d/f$s" "$IT_DIR/dst/$d-f$s" 2> "$IT_DIR/err" ||
			fail "get /$d/f$s: $(cat "$IT_DIR/err")"
		cmp "$IT_DIR/src/f$s" "$IT_DIR/dst/$d-f$s" ||
			fail "/$d/f$s came back different"
	done
done
big=f$((5 * 1024 * 1024 + 13))
# the other ways in and out: into a directory, standard input and output
mkdir "$IT_DIR/other"
cp "$IT_DIR/src/$big" "$IT_DIR/other/img.dcm"
"$F" --mds "$LEOFS_MDS" put "$IT_DIR/other/img.dcm" "/$ec/" ||
	fail "put into a directory"
"$F" get "/$ec/img.dcm" - | cmp - "$IT_DIR/src/$big" || fail "get to stdout"
"$F" put - "/$rep/piped" < "$IT_DIR/src/f65537" || fail "put from stdin"
"$F" get "/$rep/piped" "$IT_DIR/dst/" || fail "get into a directory"
cmp "$IT_DIR/src/f65537" "$IT_DIR/dst/piped" || fail "stdin round trip"

# ---- ls and stat -------------------------------------------------------------------
"$F" ls "/$ec" > "$IT_DIR/out" || fail "ls /$ec"
# shellcheck disable=SC2086
[ "$(cat "$IT_DIR/out")" = "$({ printf 'f%s\n' $SIZES; echo img.dcm; } | LC_ALL=C sort)" ] ||
	fail "ls /$ec listed: $(cat "$IT_DIR/out")"
"$F" ls -l "/$rep" > "$IT_DIR/out" || fail "ls -l /$rep"
grep -Eq '^-rw.* 65537 .* f65537$' "$IT_DIR/out" ||
	fail "ls -l lacks f65537's row: $(cat "$IT_DIR/out")"
head -n 1 "$IT_DIR/out" | grep -q '^MODE .*SIZE.*NAME$' ||
	fail "ls -l header: $(head -n 1 "$IT_DIR/out")"
"$F" --json ls -l "/$rep" > "$IT_DIR/out" || fail "ls --json -l"
it_check_json "ls --json -l" "
e = {x['name']: x for x in d['entries']}
assert d['path'] == '/$rep' and d['type'] == 'directory', d
assert sorted(e) == sorted(['f0', 'f1', 'f4095', 'f65537', '$big', 'piped']), e
assert [x['name'] for x in d['entries']] == sorted(e), 'not sorted'
assert e['f4095']['size'] == 4095 and e['f4095']['type'] == 'file', e
assert e['f0']['size'] == 0 and e['$big']['size'] == $((5 * 1024 * 1024 + 13))
assert e['f1']['layout']['scheme'] == 'replica', e['f1']
assert e['f1']['layout']['copies'] == 2 and e['f1']['layout']['stripe_count'] == 2
"
"$F" ls --json "/$ec/f1" > "$IT_DIR/out" || fail "ls --json of a file"
it_check_json "ls --json of a file" "
assert len(d['entries']) == 1 and d['entries'][0]['name'] == '/$ec/f1', d
assert d['entries'][0]['type'] == 'file', d
"
"$F" stat "/$ec/f65537" > "$IT_DIR/out" || fail "stat"
grep -q '^size  *65537 ' "$IT_DIR/out" || fail "stat size: $(cat "$IT_DIR/out")"
grep -q '^type  *file$' "$IT_DIR/out" || fail "stat type: $(cat "$IT_DIR/out")"
grep -q '^layout  *ec 4+1, pool images' "$IT_DIR/out" ||
	fail "stat layout: $(cat "$IT_DIR/out")"
"$F" stat --json "/$ec/f65537" > "$IT_DIR/out" || fail "stat --json"
mode=$(stat -c %04a "$IT_DIR/src/f65537")
it_check_json "stat --json" "
assert d['path'] == '/$ec/f65537' and d['type'] == 'file', d
assert d['size'] == 65537 and d['nlink'] == 1 and d['mode'] == '$mode', d
assert d['ino'] >> 48 == 1, 'not on shard 1: %x' % d['ino']
l = d['layout']
assert l['scheme'] == 'ec' and l['k'] == 4 and l['m'] == 1, l
assert l['pool'] == 'images' and l['stripe_unit'] == 65536, l
assert d['mtime']['sec'] > 0, d
"
"$F" stat --json "/$rep" > "$IT_DIR/out" || fail "stat --json of a directory"
it_check_json "stat of a directory" \
	"assert d['type'] == 'directory' and d['ino'] >> 48 == 0, d"

# ---- overwrite ---------------------------------------------------------------------
it_expect 1 "File exists.*(EEXIST)" "$F" put "$IT_DIR/src/f1" "/$ec/f4095"
"$F" get "/$ec/f4095" - | cmp - "$IT_DIR/src/f4095" ||
	fail "a refused put changed the file"
"$F" put --force "$IT_DIR/src/f1" "/$ec/f4095" || fail "put --force"
"$F" get "/$ec/f4095" - | cmp - "$IT_DIR/src/f1" || fail "put --force content"
"$F" put -f "$IT_DIR/src/f4095" "/$ec/f4095" || fail "put -f"

# ---- errors: exit 1 with the path and the errno, exit 2 for bad command lines -----
it_expect 1 "get: /$ec/nope: No such file or directory (ENOENT)" \
	"$F" get "/$ec/nope" "$IT_DIR/dst/nope"
[ ! -e "$IT_DIR/dst/nope" ] || fail "a failed get left a local file"
it_expect 1 "/nodir: No such file or directory (ENOENT)" "$F" stat /nodir/x
it_expect 1 "ls: /nope: No such file or directory (ENOENT)" "$F" ls /nope
it_expect 1 "rm: /$ec/nope: No such file or directory (ENOENT)" \
	"$F" rm "/$ec/nope"
it_expect 1 "put: /nodir: No such file or directory (ENOENT)" \
	"$F" put "$IT_DIR/src/f1" /nodir/x
it_expect 1 "put: $IT_DIR/src/none: No such file or directory (ENOENT)" \
	"$F" put "$IT_DIR/src/none" "/$ec/none"
it_expect 1 "get: /$ec: Is a directory (EISDIR)" \
	"$F" get "/$ec" "$IT_DIR/dst/x"
it_expect 1 "rm: /$ec: Is a directory (EISDIR)" "$F" rm "/$ec"
it_expect 1 "put: $IT_DIR/src: Is a directory (EISDIR)" \
	"$F" put "$IT_DIR/src" "/$ec/x"
it_expect 1 "Not a directory (ENOTDIR)" "$F" put "$IT_DIR/src/f1" "/$ec/f1/x"
port=$(it_port) # nothing listens there
it_expect 1 "cannot reach the cluster.*127.0.0.1:$port: connection refused" \
	"$F" --mds "127.0.0.1:$port" ls /
it_expect 1 "cannot reach the cluster" \
	env LEOFS_MDS="127.0.0.1:$port" "$F" stat /
it_expect 2 "usage: leofs-file" "$F"
it_expect 2 "unknown command 'frobnicate'" "$F" frobnicate
it_expect 2 "missing LOCAL and REMOTE" "$F" put "$IT_DIR/src/f1"
it_expect 2 "missing PATH" "$F" ls
it_expect 2 "unexpected argument 'b'" "$F" rm /a b
it_expect 2 "unknown option '--bogus'" "$F" get --bogus /a b
it_expect 2 "want an absolute path" "$F" put "$IT_DIR/src/f1" relative
it_expect 2 "want an absolute path" "$F" stat relative
it_expect 2 "'.' and '..' are not resolved" "$F" stat "/$ec/../x"
it_expect 2 "--timeout: want" "$F" --timeout 0 ls /
it_expect 2 "--mds: want HOST:PORT" "$F" --mds "a:99999" ls /
it_expect 2 "no metadata server" env -u LEOFS_MDS "$F" ls /
for cmd in put get ls stat rm; do
	"$F" "$cmd" --help | grep -q "usage: leofs-file $cmd" ||
		fail "'$cmd --help' lacks its usage line"
done

# ---- rm: gone from the namespace, then from the storage servers --------------------
"$F" stat --json "/$ec/f65537" > "$IT_DIR/out" || fail "stat before rm"
ino=$(python3 -c 'import json,sys; print("%016x" % json.load(open(sys.argv[1]))["ino"])' \
	"$IT_DIR/out")
objects() { # objects of the inode (data files), of fragment $1 or all
	find "$CL"/oss*/target/objects -name "$ino-*-${1:-*}.d" 2> /dev/null | wc -l
}
[ "$(objects)" = 5 ] || fail "EC 4+1 file has $(objects) objects, want 5"
"$F" rm "/$ec/f65537" || fail "rm"
it_expect 1 "No such file or directory (ENOENT)" "$F" get "/$ec/f65537" -
# every member's fragment goes, not only the primary's
for ((i = 0; i < 300 && $(objects) > 0; i++)); do
	sleep 0.1
done
[ "$(objects)" = 0 ] || fail "$(objects) fragment objects of a removed file remain"

# ---- one OSS killed: reads still right, puts wait for the map or fail in time ----
"$F" stat --json "/$ec/$big" > "$IT_DIR/out" || fail "stat $big"
ino=$(python3 -c 'import json,sys; print("%016x" % json.load(open(sys.argv[1]))["ino"])' \
	"$IT_DIR/out")
victim=$(find "$CL"/oss*/target/objects -name "$ino-*-0000.d" |
	sed -n 's|.*/oss\([0-9]*\)/target/.*|\1|p')
[ -n "$victim" ] || fail "no primary object for /$ec/$big"
# Puts of $big (20 stripes on one PG of pool 1, EC 4+1 over 6 nodes) into
# PGs holding the dead node. A shard hands out inode numbers in order, so
# empty files are made until the next new file lands where wanted; each
# put then checks where its file landed.
ino_of() {
	"$F" stat --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ino"])'
}
victim_ranks() { # the node's rank (1: primary) in the PGs of inodes $1.. ($2 of them)
	local rows
	rows=$("$MC" pg "$LEOFS_MDS_PORT" 1 5 "$1" "$2") || fail "no PG for inode $1"
	echo "$rows" |
		awk -v v="$victim" '{ r = ""; for (i = 1; i <= NF; i++) if ($i == v) r = i; print r }'
}
is_at() { # primary|member RANK
	case "$1:$2" in
	primary:1 | member:[2-9]) return 0 ;;
	esac
	return 1
}
fillers=0
"$F" put - "/$ec/fill$fillers" < /dev/null || fail "put of an empty file"
last=$(ino_of "/$ec/fill$fillers")
fill_until() { # primary|member: the next new file's PG has the node there
	local k=0 r
	while read -r r; do
		is_at "$1" "$r" && break
		k=$((k + 1))
	done <<< "$(victim_ranks $((last + 1)) 200)"
	[ $k -lt 200 ] || fail "no inode whose PG has OSS $victim as $1"
	for ((; k > 0; k--)); do
		fillers=$((fillers + 1))
		"$F" put - "/$ec/fill$fillers" < /dev/null || fail "put of an empty file"
	done
}
bg=()
put_bg() { # NAME primary|member [OPTION...]: leofs-file [OPTION...] put $big as /$ec/NAME
	local name=$1 where=$2 i
	shift 2
	fill_until "$where"
	(
		rc=0 s=$SECONDS
		"$F" "$@" put "$IT_DIR/src/$big" "/$ec/$name" 2> "$IT_DIR/err.$name" || rc=$?
		echo "$rc $((SECONDS - s))" > "$IT_DIR/rc.$name"
	) &
	bg+=($!)
	for ((i = 0; i < 200; i++)); do
		if "$F" stat "/$ec/$name" > /dev/null 2>&1; then
			last=$(ino_of "/$ec/$name")
			is_at "$where" "$(victim_ranks "$last" 1)" && return 0
			fail "/$ec/$name landed where OSS $victim is not the $where"
		fi
		[ ! -e "$IT_DIR/rc.$name" ] || break
		sleep 0.05
	done
	# it cannot be done already: the PG takes no writes for a while
	fail "put /$ec/$name ended before its file was seen: $(cat "$IT_DIR/err.$name")"
}
BUILD=$LEOFS_BUILD "$LEOFS_SRC/scripts/local-cluster" kill-oss "$CL" "$victim" ||
	fail "kill-oss $victim"
# Until the MDS marks it out (5 s of silence, then down_out_ms: 45 s) the
# node keeps its PG slots: a put there keeps trying, then fails when
# leofs-file's data timeout (30 s) has passed, with the reason, and
# removes its file. A put with a longer timeout rides out the failover:
# it succeeds once the node is out and its PG has a live primary.
put_bg lost primary
put_bg ro member
put_bg moved primary --timeout 120000
# meanwhile, reads
for s in $SIZES; do
	[ "$s" = 65537 ] && continue # removed above
	"$F" get "/$ec/f$s" "$IT_DIR/dst/degraded" 2> "$IT_DIR/err" ||
		fail "get /$ec/f$s with OSS $victim down: $(cat "$IT_DIR/err")"
	cmp "$IT_DIR/src/f$s" "$IT_DIR/dst/degraded" ||
		fail "/$ec/f$s read wrong with OSS $victim down"
done
for s in $SIZES; do
	"$F" get "/$rep/f$s" - 2> "$IT_DIR/err" | cmp - "$IT_DIR/src/f$s" ||
		fail "replica /$rep/f$s with OSS $victim down: $(cat "$IT_DIR/err")"
done
wait "${bg[@]}"
for name in lost ro; do
	read -r rc secs < "$IT_DIR/rc.$name"
	[ "$rc" = 1 ] ||
		fail "put /$ec/$name with OSS $victim dead exited $rc: $(cat "$IT_DIR/err.$name")"
	[ "$secs" -le 45 ] ||
		fail "put /$ec/$name failed after $secs s, not within the 30 s data timeout"
	it_expect 1 "(ENOENT)" "$F" stat "/$ec/$name"
done
grep -Eq "put: /$ec/lost: storing the data: .*\((EHOSTDOWN|ECONNREFUSED)\)" "$IT_DIR/err.lost" ||
	fail "put to a dead primary: $(cat "$IT_DIR/err.lost")"
grep -q "put: /$ec/ro: storing the data: a placement group is read-only (too few members up) (EROFS)" \
	"$IT_DIR/err.ro" || fail "put to a read-only PG: $(cat "$IT_DIR/err.ro")"
read -r rc secs < "$IT_DIR/rc.moved"
[ "$rc" = 0 ] || fail "put across the failover of OSS $victim: $(cat "$IT_DIR/err.moved")"
[ "$(victim_ranks "$(ino_of "/$ec/moved")" 1)" = "" ] ||
	fail "OSS $victim still holds the PG of /$ec/moved"
"$F" get "/$ec/moved" - | cmp - "$IT_DIR/src/$big" ||
	fail "/$ec/moved, written during the failover, reads back wrong"
echo "put across the failover: $secs s"

echo "test_file_tool: ok"
