// SPDX-License-Identifier: GPL-2.0
/* Named steps of every update, where crash tests stop the process. */
#include "internal.h"

void (*oss_crash_hook)(const char *point);
