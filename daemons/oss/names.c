// SPDX-License-Identifier: GPL-2.0
/* Tier names and cluster UUID text form. */
#include <stdio.h>
#include <string.h>

#include "oss.h"

static const char *const tier_names[] = {
	[LEOFS_TIER_SSD] = "ssd",
	[LEOFS_TIER_SAS] = "sas",
	[LEOFS_TIER_SATA] = "sata",
};

const char *oss_tier_name(u32 tier)
{
	if (tier >= ARRAY_SIZE(tier_names))
		return NULL;
	return tier_names[tier];
}

int oss_tier_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tier_names); i++)
		if (tier_names[i] && !strcmp(name, tier_names[i]))
			return (int)i;
	return -EINVAL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int oss_uuid_parse(const char *s, u8 uuid[16])
{
	unsigned int i, n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_value(s[i]);
		lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		uuid[n++] = (u8)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

void oss_uuid_format(const u8 u[16], char *buf)
{
	sprintf(buf,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		u[10], u[11], u[12], u[13], u[14], u[15]);
}
