/* SPDX-License-Identifier: GPL-2.0 */
/* Attributes and layouts between the engine's form and the wire's. */
#ifndef MDS_WIRE_H
#define MDS_WIRE_H

#include "leofs/proto_msg.h"
#include "mds.h"

void mds_layout_to_wire(const struct mds_layout *l, struct leofs_layout *o);
void mds_layout_from_wire(const struct leofs_layout *l, struct mds_layout *o);
void mds_attr_to_wire(const struct mds_attr *a, struct leofs_attr *o);
void mds_attr_from_wire(const struct leofs_attr *a, struct mds_attr *o);

#endif /* MDS_WIRE_H */
