#!/bin/bash
# The suite's share of kdata_workloads_check.sh: dbench for 10 s, rsync -a
# of about 100 files, a DICOM study of 60 images (make check-vm-full: 30 s,
# about 140 files, 300 images).
KDATA_DBENCH_S=10 KDATA_RSYNC_DIRS=netfilter KDATA_IMAGES=60 \
	exec bash "$LEOFS_SRC/tests/vm/kdata_workloads_check.sh"
