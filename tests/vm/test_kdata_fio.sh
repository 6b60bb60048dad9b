#!/bin/bash
# The suite's share of kdata_fio_check.sh: fio verify=crc32c in EC 4+1
# (make check-vm-full adds replica 2).
KDATA_FIO_DIRS=ec41 exec bash "$LEOFS_SRC/tests/vm/kdata_fio_check.sh"
