#!/bin/bash
# Cross-shard mkdir, rmdir, rename, link and unlink over two leofs-mds
# processes: A (map authority) serves shards 0 and 1, B serves shards 2
# and 3. New directories in the root go to the shard the placement picks:
# on A's shard 1 the protocol runs inside A, on B's shards over MDS-to-MDS
# requests. The POSIX cases of rename and link across servers, LOOKUP and
# CREATE of entries whose inode the other server holds (also while it is
# down and after its restart), then, for every step of each protocol, the
# MDS that owns the step is started with LEOFS_MDS_CRASH naming it and
# dies there (SIGKILL); after a restart, recovery leaves the operation
# done or undone as the step implies, and the namespace is consistent
# (mds_client fsck: no dangling entry, no orphan inode, link counts right,
# no directory left locked). Two clients race directory moves that would
# together form a loop.
. "$(dirname "$0")/lib.sh"

CID=0123456789abcdef0123456789abcdef
PA=$(it_port)
PB=$(it_port)
C=$ITBIN/mds_client

cat > "$IT_DIR/cluster.json" <<JSON
{
  "nodes": [ { "id": 1, "address": "127.0.0.1", "port": $(it_port),
               "targets": [ { "id": 11, "tier": "ssd" } ] } ],
  "pools": [ { "id": 1, "name": "images", "tier": "ssd", "pg_num": 8 } ],
  "mds": [ { "id": 1, "address": "127.0.0.1", "port": $PA },
           { "id": 2, "address": "127.0.0.1", "port": $PB } ],
  "shards": [ { "id": 0, "mds": 1 }, { "id": 1, "mds": 1 },
              { "id": 2, "mds": 2 }, { "id": 3, "mds": 2 } ]
}
JSON
cat > "$IT_DIR/a.json" <<JSON
{ "node_id": 1, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PA },
  "data_dir": "$IT_DIR/a", "shards": [0, 1],
  "map": { "authority": true, "heartbeat_grace_ms": 600000 } }
JSON
cat > "$IT_DIR/b.json" <<JSON
{ "node_id": 2, "cluster_id": "$CID",
  "listen": { "address": "127.0.0.1", "port": $PB },
  "data_dir": "$IT_DIR/b", "shards": [2, 3],
  "map": { "authority": false, "address": "127.0.0.1", "port": $PA } }
JSON

start_a() { it_start a "$BIN/leofs-mds" --config "$IT_DIR/a.json"; it_wait_port "$PA"; }
start_b() { it_start b "$BIN/leofs-mds" --config "$IT_DIR/b.json"; it_wait_port "$PB"; }

# waits up to $1 seconds for the command to succeed
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
fsck_ok() { [ "$("$C" fsck "$PA" "$PB")" = ok ]; }
b_has_map() { "$C" pools "$PB" | grep -q "^epoch"; }
# dead NAME: waits for the process to have died
dead() { ! kill -0 "$(it_pid "$1")" 2>/dev/null; }
x() { "$C" x "$PA" "$PB" "$@"; }
# expect WANT CMD...: the first word the command prints is WANT
expect() {
	local want=$1 out
	shift
	out=$("$@" 2>&1) || true
	[ "${out%% *}" = "$want" ] || fail "$*: got '$out', want $want"
}

"$BIN/leofs-mds" --init "$IT_DIR/cluster.json" --config "$IT_DIR/a.json" \
	>/dev/null || fail "--init failed"
start_a
start_b
wait_for 10 b_has_map || fail "B has no map"

# ---- without crashes: inside A (shard 1) and across (shards 2, 3) ----------------
for shard in 1 2 3; do
	name=$("$C" xname "$PA" plain "$shard") || fail "no name for shard $shard"
	out=$("$C" xop "$PA" mkdir "$name")
	case "$out" in
	"OK 0x$shard"[0-9a-f]*) ;;
	*) fail "mkdir $name (shard $shard): $out" ;;
	esac
	[ "$(printf '%x' $((${out#OK } >> 48)))" = "$shard" ] ||
		fail "mkdir $name not on shard $shard: $out"
	[ "$("$C" xop "$PA" mkdir "$name")" = "EXIST 0" ] ||
		fail "second mkdir $name"
	fsck_ok || fail "after mkdir on shard $shard: $("$C" fsck "$PA" "$PB")"
	[ "$("$C" xop "$PA" rmdir "$name")" = OK ] || fail "rmdir $name"
	[ "$("$C" xop "$PA" rmdir "$name")" = NOENT ] || fail "rmdir $name again"
	fsck_ok || fail "after rmdir on shard $shard: $("$C" fsck "$PA" "$PB")"
done

# ---- a crash at each step --------------------------------------------------------
# crash WHO OP POINT DONE: WHO (a or b) dies at POINT during OP (mkdir or
# rmdir of a directory placed on shard 2); DONE says whether it took effect.
n=0
crash() {
	local who=$1 op=$2 point=$3 done=$4 name
	n=$((n + 1))
	name=$("$C" xname "$PA" "c$n-" 2) || fail "no name for shard 2"
	if [ "$op" = rmdir ]; then
		"$C" xop "$PA" mkdir "$name" | grep -q "^OK " || fail "mkdir $name"
	fi
	it_stop "$who"
	LEOFS_MDS_CRASH=$point it_start "$who" "$BIN/leofs-mds" \
		--config "$IT_DIR/$who.json"
	[ "$who" = a ] && it_wait_port "$PA" || it_wait_port "$PB"
	[ "$who" = b ] || wait_for 10 b_has_map || fail "B lost the map"
	"$C" xop "$PA" "$op" "$name" > "$IT_DIR/xop.out" 2>&1 || true
	wait_for 10 dead "$who" || fail "$point: $who did not die"
	it_kill9 "$who"
	"start_$who"
	wait_for 20 fsck_ok ||
		fail "$point: not consistent after restart: $("$C" fsck "$PA" "$PB")"
	if "$C" xop "$PA" mkdir "$name" | grep -q "^OK "; then
		# the name was free: mkdir undone, or rmdir done
		[ "$op/$done" = mkdir/no ] || [ "$op/$done" = rmdir/yes ] ||
			fail "$point: $op of $name did not take effect"
	else
		[ "$op/$done" = mkdir/yes ] || [ "$op/$done" = rmdir/no ] ||
			fail "$point: $op of $name took effect"
	fi
	fsck_ok || fail "$point: after the check: $("$C" fsck "$PA" "$PB")"
	echo "crash at $who $point: ok"
}

for op in mkdir rmdir; do
	crash a $op $op-intent no
	crash b $op $op-peer-prepared no
	crash a $op $op-prepared no
	crash a $op $op-committed yes
	crash b $op peer-committed yes
	crash a $op $op-finished yes
done

# ---- rename, link and unlink across shards ------------------------------------
# Directory P lives on A's shard 1, Q on B's shard 2; each request goes
# where the kernel sends it.
P=$("$C" xname "$PA" p 1) || fail "no name for shard 1"
Q=$("$C" xname "$PA" q 2) || fail "no name for shard 2"
expect OK x mkdir . "$P"
expect OK x mkdir . "$Q"

f=$(x create "$P" f | cut -d' ' -f2)
expect OK x rename "$P" f "$Q" g
[ "$(x ino "$P" f)" = 0 ] || fail "old name left"
[ "$(x ino "$Q" g)" = "$f" ] || fail "new name does not name the file"
expect OK x create "$Q" t
# renamed within B, the inode on A: B coordinates, A takes part
expect OK x rename "$Q" g "$Q" t
[ "$(x ino "$Q" t)" = "$f" ] || fail "t not replaced"
expect OK x create "$P" n
expect EXIST x rename "$P" n "$Q" t noreplace
expect OK x rename "$P" n "$Q" t
fsck_ok || fail "after renames: $("$C" fsck "$PA" "$PB")"
# directories: a non-empty target, the loop check, an empty target
expect OK x mkdir "$P" sub
expect OK x create "$P/sub" inside
expect OK x mkdir "$Q" full
expect OK x create "$Q/full" x
expect OK x mkdir "$Q" empty
expect NOTEMPTY x rename "$P" sub "$Q" full
expect INVAL x rename . "$P" "$P/sub" loop
expect OK x rename "$P" sub "$Q" empty
[ "$(x ino "$Q/empty" inside)" != 0 ] || fail "moved directory lost its entry"
expect INVAL x rename . "$Q" "$Q/empty" loop
expect ISDIR x rename "$Q" t "$Q" full
expect NOTDIR x rename "$Q" full "$Q" t
expect OK x rename "$Q" full "$P" back
fsck_ok || fail "after directory renames: $("$C" fsck "$PA" "$PB")"
# links: the inode on A, the new entry on B and back
expect OK x create "$P" l
[ "$(x link "$P" l "$Q" l2)" = "OK 2" ] || fail "link across"
expect EXIST x link "$P" l "$Q" l2
[ "$(x nlink "$P" l)" = "OK 2" ] || fail "nlink after link"
expect OK x unlink "$P" l
[ "$(x nlink "$Q" l2)" = "OK 1" ] || fail "nlink after unlink"
expect OK x unlink "$Q" l2
[ "$(x ino "$Q" l2)" = 0 ] || fail "unlinked name left"
fsck_ok || fail "after links: $("$C" fsck "$PA" "$PB")"

# ---- racing directory moves ------------------------------------------------------
# Two clients at once move P/ra into rb and Q/rb into ra (coordinated by A
# and by B), 200 times, the winner moving back each round: never both
# (a loop cut off from the root), the loser gets INVAL.
expect OK x mkdir "$P" ra
expect OK x mkdir "$Q" rb
"$C" xrace "$PA" "$PB" "$P" ra "$Q" rb 200 > "$IT_DIR/xrace.out" 2>&1 ||
	fail "directory moves raced into a loop: $(tail -5 "$IT_DIR/xrace.out")"
cat "$IT_DIR/xrace.out"
fsck_ok || fail "after racing moves: $("$C" fsck "$PA" "$PB")"

# ---- both MDS coordinating towards each other at once ----------------------------
# With one writer thread each, A's MKDIRs wait for B's participant steps
# while B's MKDIRs wait for A's. The participant steps have a pool of their
# own, so they never queue behind a writer that is waiting: every MKDIR
# succeeds and no call to the other MDS goes unanswered.
it_stop a
it_stop b
sed -i 's/"shards"/"limits": { "workers": 1 }, "shards"/' "$IT_DIR/a.json" "$IT_DIR/b.json"
start_a
start_b
wait_for 10 b_has_map || fail "B has no map after the restart"
S=$("$C" xname "$PA" storm 2) || fail "no name for shard 2"
expect OK "$C" xop "$PA" mkdir "$S"
"$C" xstorm "$PA" "$PB" "$S" 25 > "$IT_DIR/xstorm.out" 2>&1 ||
	fail "MKDIRs coordinated both ways at once: $(tail -5 "$IT_DIR/xstorm.out")"
cat "$IT_DIR/xstorm.out"
! grep -h "no answer in" "$IT_DIR/a.log" "$IT_DIR/b.log" ||
	fail "a call to the other MDS went unanswered"
fsck_ok || fail "after MKDIRs both ways: $("$C" fsck "$PA" "$PB")"

# ---- entries naming inodes homed on the other MDS ------------------------------
# LOOKUP and CREATE without EXCL (an open with O_CREAT) at the entry's MDS
# answer the attributes that GETATTR gives at the inode's MDS.
pi=$(x ino . "$P")
qi=$(x ino . "$Q")
# same_attr PORT OP DIR NAME INO_PORT INO: OP of NAME at PORT answers what
# GETATTR of INO answers at INO_PORT
same_attr() {
	local got want
	got=$("$C" attr "$1" "$2" "$3" "$4")
	want=$("$C" attr "$5" getattr "$6")
	[ "${want%% *}" = OK ] && [ "$got" = "$want" ] ||
		fail "$2 $4 at $1: got '$got', want '$want'"
}
fr=$(x create "$P" moved | cut -d' ' -f2)
expect OK x rename "$P" moved "$Q" r1
fl=$(x create "$P" linked | cut -d' ' -f2)
[ "$(x link "$P" linked "$Q" l1)" = "OK 2" ] || fail "link across"
for op in lookup create; do
	same_attr "$PB" $op "$qi" r1 "$PA" "$fr"
	same_attr "$PB" $op "$qi" l1 "$PA" "$fl"
done
"$C" attr "$PB" lookup "$qi" l1 | grep -q "^OK $fl 100644 2 " ||
	fail "lookup of a link across: $("$C" attr "$PB" lookup "$qi" l1)"
# a directory homed on B, its entry in A's root; P, all on A
same_attr "$PA" lookup 1 "$Q" "$PB" "$qi"
"$C" attr "$PA" lookup 1 "$Q" | grep -q "^OK $qi 40755 " || fail "dir attrs"
same_attr "$PA" lookup 1 "$P" "$PA" "$pi"
# the inode's MDS down: a retryable status at once, then right once back
# down_ask WHO PORT OPS DIR NAME: WHO killed, each of OPS on NAME at PORT
down_ask() {
	local op out
	it_kill9 "$1"
	for op in $3; do
		out=$(timeout 20 "$C" attr "$2" $op "$4" "$5") ||
			fail "$op with $1 down: no answer"
		case "$out" in
		AGAIN | TIMEDOUT) ;;
		*) fail "$op of $5 with $1 down: '$out'" ;;
		esac
	done
	"start_$1"
}
down_ask a "$PB" "lookup create" "$qi" r1
wait_for 10 b_has_map || fail "B lost the map"
wait_for 10 sh -c "'$C' attr $PB lookup $qi r1 | grep -q '^OK '" ||
	fail "lookup after A's restart"
same_attr "$PB" lookup "$qi" r1 "$PA" "$fr"
same_attr "$PB" create "$qi" l1 "$PA" "$fl"
down_ask b "$PA" lookup 1 "$Q"
wait_for 10 sh -c "'$C' attr $PA lookup 1 $Q | grep -q '^OK '" ||
	fail "lookup after B's restart"
same_attr "$PA" lookup 1 "$Q" "$PB" "$qi"
fsck_ok || fail "after lookups across: $("$C" fsck "$PA" "$PB")"
echo "lookups across servers: ok"

# die_during WHO POINT CMD...: WHO (a or b) is restarted to die at POINT,
# CMD runs, WHO is restarted, and the namespace must become consistent.
die_during() {
	local who=$1 point=$2
	shift 2
	it_stop "$who"
	LEOFS_MDS_CRASH=$point it_start "$who" "$BIN/leofs-mds" \
		--config "$IT_DIR/$who.json"
	[ "$who" = a ] && it_wait_port "$PA" || it_wait_port "$PB"
	[ "$who" = b ] || wait_for 10 b_has_map || fail "B lost the map"
	"$@" > "$IT_DIR/op.out" 2>&1 || true
	wait_for 10 dead "$who" || fail "$point: $who did not die"
	it_kill9 "$who"
	"start_$who"
	[ "$who" = b ] || wait_for 10 b_has_map || fail "B lost the map"
	wait_for 30 fsck_ok ||
		fail "$point: not consistent after restart: $("$C" fsck "$PA" "$PB")"
}

# crash_rename WHO POINT DONE: WHO dies at POINT while a file of P is
# renamed over a file of Q (A coordinates, B prepares the entry and drops
# the replaced file's link); DONE says whether it took effect.
crash_rename() {
	local who=$1 point=$2 done=$3 fi ti
	n=$((n + 1))
	fi=$(x create "$P" "f$n" | cut -d' ' -f2)
	ti=$(x create "$Q" "t$n" | cut -d' ' -f2)
	die_during "$who" "$point" x rename "$P" "f$n" "$Q" "t$n"
	if [ "$done" = yes ]; then
		[ "$(x ino "$Q" "t$n")" = "$fi" ] && [ "$(x ino "$P" "f$n")" = 0 ] ||
			fail "$point: rename not done"
	else
		[ "$(x ino "$Q" "t$n")" = "$ti" ] && [ "$(x ino "$P" "f$n")" = "$fi" ] ||
			fail "$point: rename not undone"
	fi
	echo "crash at $who $point: ok"
}

# crash_link WHO POINT DONE: the same while a file of P gets a second name
# in Q (B coordinates, A counts the new link).
crash_link() {
	local who=$1 point=$2 done=$3 fi
	n=$((n + 1))
	fi=$(x create "$P" "f$n" | cut -d' ' -f2)
	die_during "$who" "$point" x link "$P" "f$n" "$Q" "h$n"
	if [ "$done" = yes ]; then
		[ "$(x ino "$Q" "h$n")" = "$fi" ] || fail "$point: link not done"
		[ "$(x nlink "$P" "f$n")" = "OK 2" ] || fail "$point: nlink"
	else
		[ "$(x ino "$Q" "h$n")" = 0 ] || fail "$point: link not undone"
		[ "$(x nlink "$P" "f$n")" = "OK 1" ] || fail "$point: nlink"
	fi
	echo "crash at $who $point: ok"
}

crash_rename a rename-intent no
crash_rename b entry-peer-prepared no
crash_rename b nlink-peer-prepared no
crash_rename a rename-prepared no
crash_rename a rename-committed yes
crash_rename b peer-committed yes
crash_rename a rename-finished yes

# crash_dirmove WHO POINT DONE: the same while a directory of Q moves into
# P (B coordinates; A prepares the entry and holds the directory-move
# record of shard 0).
crash_dirmove() {
	local who=$1 point=$2 done=$3 di
	n=$((n + 1))
	di=$(x mkdir "$Q" "d$n" | cut -d' ' -f2)
	die_during "$who" "$point" x rename "$Q" "d$n" "$P" "d$n"
	if [ "$done" = yes ]; then
		[ "$(x ino "$P" "d$n")" = "$di" ] && [ "$(x ino "$Q" "d$n")" = 0 ] ||
			fail "$point: directory move not done"
	else
		[ "$(x ino "$Q" "d$n")" = "$di" ] && [ "$(x ino "$P" "d$n")" = 0 ] ||
			fail "$point: directory move not undone"
	fi
	echo "crash at $who $point: ok"
}

for step in "b rename-intent no" "a entry-peer-prepared no" \
	"a dirmove-peer-prepared no" "b rename-prepared no" \
	"b rename-committed yes" "a peer-committed yes" \
	"b rename-finished yes"; do
	crash_dirmove $step
done
# the record is free again: a directory moves and moves back at once
expect OK x rename "$P" "d$n" "$Q" back
expect OK x rename "$Q" back "$P" "d$n"

crash_link b link-intent no
crash_link a nlink-peer-prepared no
crash_link b link-prepared no
crash_link b link-committed yes
crash_link a peer-committed yes
crash_link b link-finished yes

it_stop b
it_stop a
echo "ok"
