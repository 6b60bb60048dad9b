// SPDX-License-Identifier: GPL-2.0
/* leofs-file: renderings of inode attributes, shared by ls and stat. */
#include <stdio.h>
#include <time.h>

#include "tool.h"

const char *ft_type_name(u32 mode)
{
	switch (mode & LEOFS_S_IFMT) {
	case LEOFS_S_IFREG:
		return "file";
	case LEOFS_S_IFDIR:
		return "directory";
	case LEOFS_S_IFLNK:
		return "symlink";
	case LEOFS_S_IFIFO:
		return "fifo";
	case LEOFS_S_IFSOCK:
		return "socket";
	case LEOFS_S_IFCHR:
		return "char device";
	case LEOFS_S_IFBLK:
		return "block device";
	default:
		return "unknown";
	}
}

const char *ft_mode_str(u32 mode, char *buf)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	switch (mode & LEOFS_S_IFMT) {
	case LEOFS_S_IFDIR:
		buf[0] = 'd';
		break;
	case LEOFS_S_IFLNK:
		buf[0] = 'l';
		break;
	case LEOFS_S_IFREG:
		buf[0] = '-';
		break;
	default:
		buf[0] = '?';
	}
	for (i = 0; i < 9; i++)
		buf[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		buf[3] = buf[3] == 'x' ? 's' : 'S';
	if (mode & 02000)
		buf[6] = buf[6] == 'x' ? 's' : 'S';
	if (mode & 01000)
		buf[9] = buf[9] == 'x' ? 't' : 'T';
	buf[10] = '\0';
	return buf;
}

const char *ft_time_str(const struct leofs_timespec *ts, char *buf, size_t len)
{
	time_t sec = (time_t)ts->sec;
	struct tm tm;

	if (!localtime_r(&sec, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%lld", (long long)ts->sec);
	return buf;
}

static json_t *json_time(const struct leofs_timespec *ts)
{
	return json_pack("{s:I, s:I}", "sec", (json_int_t)ts->sec, "nsec",
			 (json_int_t)ts->nsec);
}

json_t *ft_json_attr(const struct leofs_attr *a, const struct leofs_map *map)
{
	char mode[8];
	json_t *o;

	snprintf(mode, sizeof(mode), "%04o", a->mode & 07777);
	o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
		      "s:o, s:I}",
		      "ino", (json_int_t)a->ino, "type", ft_type_name(a->mode),
		      "mode", mode, "nlink", (json_int_t)a->nlink, "uid",
		      (json_int_t)a->uid, "gid", (json_int_t)a->gid, "size",
		      (json_int_t)a->size, "blocks", (json_int_t)a->blocks,
		      "atime", json_time(&a->atime), "mtime",
		      json_time(&a->mtime), "ctime", json_time(&a->ctime),
		      "generation", (json_int_t)a->generation);
	if (o && (a->mode & LEOFS_S_IFMT) != LEOFS_S_IFLNK)
		json_object_set_new(o, "layout",
				    admin_json_layout(&a->layout, map));
	return o;
}
