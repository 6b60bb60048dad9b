// SPDX-License-Identifier: GPL-2.0
/*
 * Reading directories. Positions: 0 and 1 are "." and "..", then
 * 2 + the server's resume cookie of the last entry returned, so telldir()
 * and seekdir() work on any listing and a listing resumes where it
 * stopped, however large the directory. Cookies must be non-zero and below
 * 2^63 - 2 (Documentation/kernel.md).
 */
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include "internal.h"

#define LEOFS_POS_FIRST	    2
#define LEOFS_POS_EOF	    LLONG_MAX
#define LEOFS_READDIR_BYTES (128u << 10)

static unsigned char leofs_dtype(u8 t)
{
	switch (t) {
	case LEOFS_DT_FIFO:
	case LEOFS_DT_CHR:
	case LEOFS_DT_DIR:
	case LEOFS_DT_BLK:
	case LEOFS_DT_REG:
	case LEOFS_DT_LNK:
	case LEOFS_DT_SOCK:
		return t;
	default:
		return DT_UNKNOWN;
	}
}

static int leofs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	struct leofs_fs_info *fsi = LEOFS_FS(dir->i_sb);
	struct leofs_readdir_req m = {
		.ino = LEOFS_I(dir)->ino,
		.max_entries = LEOFS_READDIR_MAX_ENTRIES,
		.max_bytes = LEOFS_READDIR_BYTES,
	};
	struct leofs_readdir_reply *r;
	struct leofs_reply raw;
	int ret = 0;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (ctx->pos == LEOFS_POS_EOF)
		return 0;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	leofs_fill_creds(&m.creds);

	for (;;) {
		u32 i;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		m.cookie = ctx->pos - LEOFS_POS_FIRST;
		ret = leofs_mds_call(fsi, m.ino, LEOFS_OP_READDIR, &m,
				     sizeof(m), r, sizeof(*r), &raw);
		if (ret) {
			leofs_reply_free(&raw);
			break;
		}
		/* a reply that makes no progress would loop forever */
		if (!r->nr_entries && !r->eof) {
			leofs_reply_free(&raw);
			ret = -EIO;
			break;
		}
		for (i = 0; i < r->nr_entries; i++) {
			const struct leofs_dirent *e = &r->entries[i];

			if (!e->next_cookie ||
			    e->next_cookie > LLONG_MAX - LEOFS_POS_FIRST - 1 ||
			    leofs_name_check(e->name.data, e->name.len)) {
				pr_warn_ratelimited(
					"directory %llx: the server sent an invalid entry\n",
					m.ino);
				ret = -EIO;
				break;
			}
			if (!dir_emit(ctx, e->name.data, e->name.len,
				      (ino_t)e->ino, leofs_dtype(e->type)))
				break;
			ctx->pos = e->next_cookie + LEOFS_POS_FIRST;
		}
		if (ret || i < r->nr_entries) {
			leofs_reply_free(&raw);
			break;
		}
		if (r->eof) {
			ctx->pos = LEOFS_POS_EOF;
			leofs_reply_free(&raw);
			break;
		}
		leofs_reply_free(&raw);
	}
	kfree(r);
	return ret;
}

static loff_t leofs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	/* positions are cookies: only absolute and relative seeks */
	return generic_file_llseek_size(file, offset, whence, LLONG_MAX,
					LLONG_MAX);
}

static int leofs_dir_open(struct inode *inode, struct file *file)
{
	/* close-to-open: a directory is read with fresh attributes */
	return leofs_revalidate_attrs(inode, true);
}

const struct file_operations leofs_dir_fops = {
	.open = leofs_dir_open,
	.llseek = leofs_dir_llseek,
	.read = generic_read_dir,
	.iterate_shared = leofs_readdir,
	.fsync = noop_fsync,
};
