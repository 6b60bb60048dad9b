#!/bin/bash
# A storage server killed during fio's verify run: kdata_fio_faults_check.sh
# at full size.
exec bash "$LEOFS_SRC/tests/vm/kdata_fio_faults_check.sh"
