// SPDX-License-Identifier: GPL-2.0
/* Validators for the strings carried by messages; both sides use them. */
#include "leofs/proto.h"

static bool has_nul(const u8 *p, size_t len)
{
	return len && memchr(p, 0, len);
}

int leofs_name_check(const void *name, size_t len)
{
	const u8 *p = name;

	if (!len)
		return -EINVAL;
	if (len > LEOFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (p[0] == '.' && (len == 1 || (len == 2 && p[1] == '.')))
		return -EINVAL;
	if (has_nul(p, len) || memchr(p, '/', len))
		return -EINVAL;
	return 0;
}

int leofs_xattr_name_check(const void *name, size_t len)
{
	if (!len)
		return -EINVAL;
	if (len > LEOFS_XATTR_NAME_MAX)
		return -ENAMETOOLONG;
	return has_nul(name, len) ? -EINVAL : 0;
}

int leofs_symlink_check(const void *target, size_t len)
{
	if (!len)
		return -EINVAL;
	if (len > LEOFS_SYMLINK_MAX)
		return -ENAMETOOLONG;
	return has_nul(target, len) ? -EINVAL : 0;
}

int leofs_xattr_list_check(const void *list, size_t len)
{
	const u8 *p = list;
	const u8 *end;

	if (len > LEOFS_XATTR_LIST_MAX)
		return -EINVAL;
	while (len) {
		end = memchr(p, 0, len);
		if (!end || leofs_xattr_name_check(p, end - p))
			return -EINVAL;
		len -= end + 1 - p;
		p = end + 1;
	}
	return 0;
}
