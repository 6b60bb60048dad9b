// SPDX-License-Identifier: GPL-2.0
/* leofs-admin: JSON renderings shared by the commands (--json). */
#include <errno.h>
#include <stdlib.h>

#include "admin.h"

json_t *admin_json_addr(const struct leofs_addr *a)
{
	char buf[64];

	if (!a->family)
		return json_null();
	return json_string(admin_addr_str(a, buf, sizeof(buf)));
}

json_t *admin_json_layout(const struct leofs_layout *l,
			  const struct leofs_map *map)
{
	const struct leofs_map_pool *p =
		map ? admin_map_pool_by_id(map, l->pool_id) : NULL;
	const char *scheme = l->scheme == LEOFS_LAYOUT_EC      ? "ec" :
			     l->scheme == LEOFS_LAYOUT_REPLICA ? "replica" :
								 "none";
	json_t *o;

	o = json_pack("{s:I, s:s?, s:s, s:I, s:I, s:I, s:I, s:I}", "pool_id",
		      (json_int_t)l->pool_id, "pool", p ? p->name : NULL,
		      "scheme", scheme, "k", (json_int_t)l->k, "m",
		      (json_int_t)l->m, "stripe_unit",
		      (json_int_t)l->stripe_unit, "stripe_count",
		      (json_int_t)l->stripe_count, "generation",
		      (json_int_t)l->generation);
	if (o && l->scheme == LEOFS_LAYOUT_REPLICA)
		json_object_set_new(o, "copies", json_integer(l->m + 1));
	return o;
}

json_t *admin_json_pg_health(const struct admin_pg_health *h)
{
	struct leofs_layout l = { .scheme = h->scheme, .k = h->k, .m = h->m };
	char scheme[32];
	json_t *o;

	o = json_pack("{s:I, s:s, s:I, s:I, s:I}", "pool_id",
		      (json_int_t)h->pool_id, "scheme",
		      admin_scheme_str(&l, scheme, sizeof(scheme)), "width",
		      (json_int_t)h->width, "min_size", (json_int_t)h->min_size,
		      "pg_num", (json_int_t)h->pg_num);
	if (!o)
		return NULL;
	if (h->error) {
		json_object_set_new(o, "error",
				    json_string("fewer eligible nodes than "
						"the layout's width"));
		return o;
	}
	json_object_set_new(o, "clean", json_integer(h->clean));
	json_object_set_new(o, "degraded", json_integer(h->degraded));
	json_object_set_new(o, "read_only", json_integer(h->readonly));
	return o;
}

int admin_json_print(json_t *v, FILE *f)
{
	char *s;

	if (!v)
		return -ENOMEM;
	s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (!s)
		return -ENOMEM;
	fprintf(f, "%s\n", s);
	free(s);
	return 0;
}
