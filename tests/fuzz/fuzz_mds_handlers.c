// SPDX-License-Identifier: GPL-2.0
/*
 * The leofs-mds request handlers on arbitrary bodies: the first byte picks
 * the metadata opcode, the rest is the request body. Runs against a real
 * shard in a temporary directory (created once), with the reply cache on,
 * so that whatever decodes is executed. Nothing may crash or leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemons/mds/handlers.h"

static struct mds_handlers h;
static u64 req_id;

static void setup(void)
{
	static const u16 shards[] = { 0 };
	static char dir[] = "/tmp/leofs-fuzz-mds-XXXXXX";
	struct mds_engine_opts o = { 0 };

	if (!mkdtemp(dir))
		abort();
	o.data_dir = dir;
	o.shards = shards;
	o.nr_shards = 1;
	o.map_size = 256ull << 20;
	o.max_batch = 1;
	if (mds_engine_open(&o, &h.eng))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct mds_call c;
	u32 nops = LEOFS_OP_SET_LAYOUT - LEOFS_OP_LOOKUP + 1;

	if (!h.eng)
		setup();
	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	c.opcode = (u16)(LEOFS_OP_LOOKUP + data[0] % nops);
	c.session = 1;
	c.req_id = ++req_id;
	c.body = data + 1;
	c.len = (u32)(size - 1);
	mds_call_run(&h, &c);
	/* every answer must encode */
	if (c.reply_size) {
		static u8 out[LEOFS_BODY_MAX];

		if (leofs_msg_encode(c.opcode, true, &c.reply, c.reply_size,
				     out, sizeof(out)) < 0)
			abort();
	}
	mds_call_release(&c);
	return 0;
}
