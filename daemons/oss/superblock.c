// SPDX-License-Identifier: GPL-2.0
/*
 * Target superblock: a 64-byte little-endian record.
 *
 *	 0  magic "LEOFSTGT"	 8  format version	12  target id
 *	16  cluster id (16)	32  tier		36  weight
 *	40  creation time (s)	48  zero (12)		60  CRC32C of 0..59
 */
#include <string.h>

#include "internal.h"

#define SB_CRC_OFF 60

void oss_sb_encode(const struct oss_superblock *sb, u8 buf[OSS_SB_SIZE])
{
	memset(buf, 0, OSS_SB_SIZE);
	memcpy(buf, OSS_SB_MAGIC, 8);
	put_unaligned_le32(sb->version, buf + 8);
	put_unaligned_le32(sb->target_id, buf + 12);
	memcpy(buf + 16, sb->cluster_id, 16);
	put_unaligned_le32(sb->tier, buf + 32);
	put_unaligned_le32(sb->weight, buf + 36);
	put_unaligned_le64(sb->ctime, buf + 40);
	put_unaligned_le32(leofs_crc32c(0, buf, SB_CRC_OFF), buf + SB_CRC_OFF);
}

int oss_sb_decode(const u8 *buf, size_t len, struct oss_superblock *sb,
		  const char **why)
{
	if (len != OSS_SB_SIZE) {
		*why = "superblock has the wrong size";
		return -EINVAL;
	}
	if (memcmp(buf, OSS_SB_MAGIC, 8)) {
		*why = "superblock magic is wrong (not a leofs target)";
		return -EINVAL;
	}
	if (leofs_crc32c(0, buf, SB_CRC_OFF) !=
	    get_unaligned_le32(buf + SB_CRC_OFF)) {
		*why = "superblock checksum mismatch (corrupt superblock)";
		return -EINVAL;
	}
	sb->version = get_unaligned_le32(buf + 8);
	sb->target_id = get_unaligned_le32(buf + 12);
	memcpy(sb->cluster_id, buf + 16, 16);
	sb->tier = get_unaligned_le32(buf + 32);
	sb->weight = get_unaligned_le32(buf + 36);
	sb->ctime = get_unaligned_le64(buf + 40);
	if (sb->version != OSS_SB_VERSION) {
		*why = "unsupported target format version";
		return -EINVAL;
	}
	if (!oss_tier_name(sb->tier)) {
		*why = "superblock names an unknown tier";
		return -EINVAL;
	}
	if (!sb->weight || sb->weight > OSS_WEIGHT_MAX) {
		*why = "superblock weight out of range";
		return -EINVAL;
	}
	return 0;
}
