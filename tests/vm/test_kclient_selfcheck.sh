#!/bin/bash
# The module checked the protocol and placement golden vectors when it
# loaded (it refuses to load on a mismatch); it is loaded, so they match.
set -u
grep -q '^leofs ' /proc/modules || { echo "module not loaded"; exit 1; }
if dmesg | grep -q 'leofs: self check'; then
	dmesg | grep 'leofs: self check'
	exit 1
fi
# And it passes again on a fresh load.
rmmod leofs && insmod "$LEOFS_KO" || exit 1
dmesg | grep -q 'leofs: loaded' || { echo "no load message"; exit 1; }
echo "self check: ok"
