/* SPDX-License-Identifier: GPL-2.0 */
/* leofs.ko internal interfaces, grouped by the file that defines them. */
#ifndef LEOFS_INTERNAL_H
#define LEOFS_INTERNAL_H

#ifdef pr_fmt
#undef pr_fmt
#endif
#define pr_fmt(fmt) "leofs: " fmt

#include <linux/fs.h>

/* super.c */
extern struct file_system_type leofs_fs_type;

#endif /* LEOFS_INTERNAL_H */
