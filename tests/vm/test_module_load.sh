#!/bin/bash
# leofs.ko loads, registers the "leofs" filesystem type, and unloads cleanly
# leaving nothing registered; twice, to catch state left by the first round.
set -eu

for round in 1 2; do
	if ! grep -q '^leofs ' /proc/modules; then
		insmod "$LEOFS_KO"
	fi
	grep -qw leofs /proc/filesystems || { echo "round $round: leofs not in /proc/filesystems"; exit 1; }
	rmmod leofs
	if grep -q '^leofs ' /proc/modules; then
		echo "round $round: module still loaded after rmmod"; exit 1
	fi
	if grep -qw leofs /proc/filesystems; then
		echo "round $round: leofs still registered after rmmod"; exit 1
	fi
done
echo "module load/unload: ok"
