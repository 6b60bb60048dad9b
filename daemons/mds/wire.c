// SPDX-License-Identifier: GPL-2.0
/* Attributes and layouts between the engine's form and the wire's (wire.h). */
#include "wire.h"

/* The fields of the same name and meaning on both sides. */
/* clang-format off */
#define ATTR_SCALARS(X) \
	X(ino) X(mode) X(nlink) X(uid) X(gid) X(size) X(blocks) X(generation)
#define LAYOUT_FIELDS(X) \
	X(pool_id) X(scheme) X(k) X(m) X(stripe_unit) X(stripe_count) \
	X(generation)
#define TIMES(X) X(atime) X(mtime) X(ctime)
/* clang-format on */

#define COPY(f)	       o->f = a->f;
#define COPY_TIME(f)   o->f.sec = a->f.sec, o->f.nsec = a->f.nsec;
#define COPY_LAYOUT(f) o->layout.f = a->layout.f;

void mds_layout_to_wire(const struct mds_layout *a, struct leofs_layout *o)
{
	LAYOUT_FIELDS(COPY)
}

void mds_layout_from_wire(const struct leofs_layout *a, struct mds_layout *o)
{
	LAYOUT_FIELDS(COPY)
}

void mds_attr_to_wire(const struct mds_attr *a, struct leofs_attr *o)
{
	ATTR_SCALARS(COPY)
	TIMES(COPY_TIME)
	LAYOUT_FIELDS(COPY_LAYOUT)
}

void mds_attr_from_wire(const struct leofs_attr *a, struct mds_attr *o)
{
	ATTR_SCALARS(COPY)
	TIMES(COPY_TIME)
	LAYOUT_FIELDS(COPY_LAYOUT)
}
