// SPDX-License-Identifier: GPL-2.0
/* leofs-admin: aligned text tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

struct admin_table {
	unsigned int ncols;
	unsigned int nrows; /* header included */
	unsigned int cap;
	bool *right;
	char **cells; /* nrows * ncols */
};

static int add_row(struct admin_table *t, const char *const *cells)
{
	unsigned int c;
	char **grown;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		grown = realloc(t->cells,
				(size_t)t->cap * t->ncols * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->cells = grown;
	}
	for (c = 0; c < t->ncols; c++) {
		char *s = strdup(cells[c] ? cells[c] : "-");

		if (!s) {
			while (c--)
				free(t->cells[(size_t)t->nrows * t->ncols + c]);
			return -ENOMEM;
		}
		t->cells[(size_t)t->nrows * t->ncols + c] = s;
	}
	t->nrows++;
	return 0;
}

struct admin_table *admin_table_new(unsigned int ncols, const char *const *hdr)
{
	struct admin_table *t = calloc(1, sizeof(*t));
	const char *names[64];
	unsigned int c;

	if (!t || !ncols || ncols > 64)
		goto fail;
	t->ncols = ncols;
	t->right = calloc(ncols, sizeof(*t->right));
	if (!t->right)
		goto fail;
	for (c = 0; c < ncols; c++) {
		t->right[c] = hdr[c][0] == '>';
		names[c] = hdr[c] + t->right[c];
	}
	if (add_row(t, names))
		goto fail;
	return t;
fail:
	admin_table_free(t);
	return NULL;
}

int admin_table_add(struct admin_table *t, const char *const *cells)
{
	return add_row(t, cells);
}

int admin_table_addf(struct admin_table *t, const char *fmt, ...)
{
	const char *cells[64];
	char *line, *p;
	unsigned int c;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	for (c = 0, p = line; c < t->ncols; c++) {
		cells[c] = p;
		if (p) {
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
	}
	rc = add_row(t, cells);
	free(line);
	return rc;
}

unsigned int admin_table_rows(const struct admin_table *t)
{
	return t->nrows - 1;
}

void admin_table_print(const struct admin_table *t, FILE *f)
{
	unsigned int r, c;
	size_t w[64] = { 0 }, len;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			len = strlen(t->cells[(size_t)r * t->ncols + c]);
			if (len > w[c])
				w[c] = len;
		}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[(size_t)r * t->ncols + c];
			bool last = c + 1 == t->ncols;

			if (t->right[c])
				fprintf(f, "%*s", (int)w[c], s);
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s", (int)w[c], s);
			fputs(last ? "\n" : "  ", f);
		}
	}
}

void admin_table_free(struct admin_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}
