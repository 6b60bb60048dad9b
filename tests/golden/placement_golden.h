/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LEOFS_PLACEMENT_GOLDEN_H
#define LEOFS_PLACEMENT_GOLDEN_H

/*
 * Recompute the placement golden vectors; 0 if all match, else minus the
 * number of mismatches. Freestanding; see placement_golden.c.
 */
int leofs_placement_golden_check(void);

#endif
