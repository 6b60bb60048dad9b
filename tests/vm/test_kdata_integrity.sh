#!/bin/bash
# The suite's share of kdata_integrity_check.sh: every layout with files of
# 0 bytes to 5 MiB, 64 MiB in EC 4+1, and 500 fsx operations per layout
# (make check-vm-full: 64 MiB and 256 MiB files in every layout and 20,000
# operations).
KDATA_FSX_OPS=500 KDATA_LARGE_LAYOUTS=ec41 KDATA_BIG_LAYOUTS=none \
	exec bash "$LEOFS_SRC/tests/vm/kdata_integrity_check.sh"
