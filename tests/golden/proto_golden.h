/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Golden wire vectors: fixed frames whose exact bytes are checked in
 * (proto_vectors.h). Freestanding, so the kernel module can run it too.
 */
#ifndef LEOFS_PROTO_GOLDEN_H
#define LEOFS_PROTO_GOLDEN_H

/* 0 if every vector decodes and re-encodes exactly, else -(mismatches). */
int leofs_proto_golden_check(void);

#endif /* LEOFS_PROTO_GOLDEN_H */
