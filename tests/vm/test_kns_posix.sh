#!/bin/bash
# The suite's share of kns_posix_check.sh: every namespace operation and
# its errors, with a large directory of 5,000 entries (make check-vm-full:
# 100,000).
KNS_BIGDIR=5000 exec bash "$LEOFS_SRC/tests/vm/kns_posix_check.sh"
