#!/bin/bash
# The suite's share of kdata_workloads_check.sh: dbench for 15 s, rsync -a
# of about 110 files, a DICOM study of 120 images (make check-vm-full: 30 s,
# about 140 files, 300 images).
KDATA_DBENCH_S=15 KDATA_RSYNC_DIRS="netfilter usb" KDATA_IMAGES=120 \
	exec bash "$LEOFS_SRC/tests/vm/kdata_workloads_check.sh"
