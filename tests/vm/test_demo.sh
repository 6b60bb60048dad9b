#!/bin/bash
# The demo's path in the suite: scripts/demo-guest, what `make demo` runs in
# the guest (a real cluster, mount -t leofs, a DICOM study through
# storescp, read back, an OSS killed, status, shutdown), with a smaller
# study generated here. Fails if any step of the demo fails.
set -u
study=/tmp/demo-study
/usr/bin/python3 "$LEOFS_SRC/scripts/make-study" "$study" --images 40 \
	--size 128 > /dev/null || {
	echo "FAIL: make-study"
	exit 1
}
LEOFS_DEMO_STUDY=$study exec bash "$LEOFS_SRC/scripts/demo-guest"
