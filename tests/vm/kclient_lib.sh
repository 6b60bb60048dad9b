#!/bin/bash
# Helpers for the kernel client tests (sourced, not run by itself).
# The fake server is the userspace program tests/integration/kfake_server.c,
# built into the default build directory ($LEOFS_SRC/build).

KFAKE=$LEOFS_SRC/build/tests/integration/kfake_server
MNT=/tmp/leofs-mnt
mkdir -p "$MNT"
KFAKE_PIDS=()

fail() {
	echo "FAIL: $*"
	exit 1
}

# kfake_start PORT MODE [OPCODE [COUNT]]: runs the fake server in the
# background and waits until it listens.
kfake_start() {
	local log=/tmp/kfake.$1.log
	[ -x "$KFAKE" ] || fail "$KFAKE not built (make -j2 userspace)"
	"$KFAKE" "$@" > "$log" 2>&1 &
	KFAKE_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q ready "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "fake server on port $1 did not start"
}

kfake_stop_all() {
	local p
	for p in "${KFAKE_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	KFAKE_PIDS=()
}

cleanup() {
	umount "$MNT" 2>/dev/null
	kfake_stop_all
}
trap cleanup EXIT

# mount_errno SOURCE OPTIONS: mounts with busybox (which prints the errno
# text) and echoes that text; returns mount's status.
mount_errno() {
	local out rc
	out=$(busybox mount -t leofs -o "$2" "$1" "$MNT" 2>&1)
	rc=$?
	echo "$out"
	return $rc
}

# The kernel log since the test began (the runner clears it per test).
klog() {
	dmesg
}
