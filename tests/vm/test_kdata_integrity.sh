#!/bin/bash
# The suite's share of kdata_integrity_check.sh: every layout with files of
# 0 bytes to 64 MiB and 1,000 fsx operations (make check-vm-full: 256 MiB
# files and 20,000 operations per layout).
KDATA_FSX_OPS=1000 KDATA_BIG_LAYOUTS=none \
	exec bash "$LEOFS_SRC/tests/vm/kdata_integrity_check.sh"
