// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol status <-> negative errno. This file is compiled on each side
 * (kernel and userspace) with that side's E* values; the wire only ever
 * carries enum leofs_status.
 */
#include "leofs/proto.h"

int leofs_status_to_errno(u32 status)
{
	switch (status) {
	case LEOFS_S_OK:		return 0;
	case LEOFS_S_PERM:		return -EPERM;
	case LEOFS_S_NOENT:		return -ENOENT;
	case LEOFS_S_IO:		return -EIO;
	case LEOFS_S_EXIST:		return -EEXIST;
	case LEOFS_S_NOTDIR:		return -ENOTDIR;
	case LEOFS_S_ISDIR:		return -EISDIR;
	case LEOFS_S_NOTEMPTY:		return -ENOTEMPTY;
	case LEOFS_S_ACCES:		return -EACCES;
	case LEOFS_S_NAMETOOLONG:	return -ENAMETOOLONG;
	case LEOFS_S_INVAL:		return -EINVAL;
	case LEOFS_S_NOSPC:		return -ENOSPC;
	case LEOFS_S_CHECKSUM:		return -EUCLEAN;
	case LEOFS_S_STALE:		return -ESTALE;
	case LEOFS_S_AGAIN:		return -EAGAIN;
	case LEOFS_S_TIMEDOUT:		return -ETIMEDOUT;
	case LEOFS_S_BADMSG:		return -EBADMSG;
	case LEOFS_S_PROTO:		return -EPROTO;
	case LEOFS_S_NOTSUP:		return -EOPNOTSUPP;
	case LEOFS_S_ROFS:		return -EROFS;
	case LEOFS_S_XDEV:		return -EXDEV;
	case LEOFS_S_LOOP:		return -ELOOP;
	case LEOFS_S_NODATA:		return -ENODATA;
	case LEOFS_S_RANGE:		return -ERANGE;
	case LEOFS_S_FBIG:		return -EFBIG;
	case LEOFS_S_MLINK:		return -EMLINK;
	case LEOFS_S_DQUOT:		return -EDQUOT;
	case LEOFS_S_BUSY:		return -EBUSY;
	case LEOFS_S_NOMEM:		return -ENOMEM;
	case LEOFS_S_OVERFLOW:		return -EOVERFLOW;
	case LEOFS_S_2BIG:		return -E2BIG;
	case LEOFS_S_SHUTDOWN:		return -ESHUTDOWN;
	/* Routing: the caller refreshes its map and retries. */
	case LEOFS_S_WRONG_EPOCH:	return -EAGAIN;
	case LEOFS_S_NOT_PRIMARY:	return -EAGAIN;
	case LEOFS_S_WRONG_SHARD:	return -EAGAIN;
	case LEOFS_S_DEGRADED_READONLY:	return -EROFS;
	case LEOFS_S_VERSION:		return -EPROTONOSUPPORT;
	case LEOFS_S_WRONG_CLUSTER:	return -ECONNREFUSED;
	default:			return -EIO;
	}
}

u32 leofs_errno_to_status(int err)
{
	switch (err) {
	case 0:			return LEOFS_S_OK;
	case -EPERM:		return LEOFS_S_PERM;
	case -ENOENT:		return LEOFS_S_NOENT;
	case -EIO:		return LEOFS_S_IO;
	case -EEXIST:		return LEOFS_S_EXIST;
	case -ENOTDIR:		return LEOFS_S_NOTDIR;
	case -EISDIR:		return LEOFS_S_ISDIR;
	case -ENOTEMPTY:	return LEOFS_S_NOTEMPTY;
	case -EACCES:		return LEOFS_S_ACCES;
	case -ENAMETOOLONG:	return LEOFS_S_NAMETOOLONG;
	case -EINVAL:		return LEOFS_S_INVAL;
	case -ENOSPC:		return LEOFS_S_NOSPC;
	case -EUCLEAN:		return LEOFS_S_CHECKSUM;
	case -ESTALE:		return LEOFS_S_STALE;
	case -EAGAIN:		return LEOFS_S_AGAIN;
	case -ETIMEDOUT:	return LEOFS_S_TIMEDOUT;
	case -EBADMSG:		return LEOFS_S_BADMSG;
	case -EPROTO:		return LEOFS_S_PROTO;
	case -EOPNOTSUPP:	return LEOFS_S_NOTSUP;
	case -ENOSYS:		return LEOFS_S_NOTSUP;
	case -EROFS:		return LEOFS_S_ROFS;
	case -EXDEV:		return LEOFS_S_XDEV;
	case -ELOOP:		return LEOFS_S_LOOP;
	case -ENODATA:		return LEOFS_S_NODATA;
	case -ERANGE:		return LEOFS_S_RANGE;
	case -EFBIG:		return LEOFS_S_FBIG;
	case -EMLINK:		return LEOFS_S_MLINK;
	case -EDQUOT:		return LEOFS_S_DQUOT;
	case -EBUSY:		return LEOFS_S_BUSY;
	case -ENOMEM:		return LEOFS_S_NOMEM;
	case -EOVERFLOW:	return LEOFS_S_OVERFLOW;
	case -E2BIG:		return LEOFS_S_2BIG;
	case -ESHUTDOWN:	return LEOFS_S_SHUTDOWN;
	case -EPROTONOSUPPORT:	return LEOFS_S_VERSION;
	default:		return LEOFS_S_IO;
	}
}

bool leofs_status_retry_data(u32 status)
{
	switch (status) {
	case LEOFS_S_WRONG_EPOCH:
	case LEOFS_S_NOT_PRIMARY:
	case LEOFS_S_AGAIN:
	case LEOFS_S_BUSY:
	case LEOFS_S_SHUTDOWN:
	case LEOFS_S_DEGRADED_READONLY:
		return true;
	default:
		return false;
	}
}
