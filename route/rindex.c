/*
 * rindex.c - write and read the compiled route index (route/rindex.h).
 *
 * An index file is untrusted input: its header, table and every string
 * offset are checked in rindex_load before any lookup; addresses given
 * to rindex_route are untrusted and bounded by the caller's buffer.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "route/rindex.h"

#define RINDEX_HDR	16
#define RINDEX_ENT	16

/* put32 - store a little-endian u32 */
static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* get32 - load a little-endian u32 */
static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct ent {
	const char *name;
	char *route;
	long cost;
};

/* ent_cmp - order entries by name bytes */
static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* rindex_write - write the printable routes of p to path atomically */
int
rindex_write(const char *path, const struct paths *p)
{
	struct ent *e = calloc(p->n ? p->n : 1, sizeof(*e));
	size_t n = 0, i, strbytes = 0, off, total;
	unsigned char *buf = NULL;
	char route[PATHS_ROUTE_MAX];
	int rc = -1;

	if (!e)
		return -1;
	for (i = 0; i < p->n; i++) {
		if (!paths_printable(p, (uint32_t)i) ||
		    paths_route(p, (uint32_t)i, route, sizeof(route)) != 0)
			continue;
		e[n].name = map_name(p->m, (uint32_t)i);
		e[n].route = strdup(route);
		e[n].cost = paths_cost(p, (uint32_t)i);
		if (!e[n].route)
			goto done;
		strbytes += strlen(e[n].name) + strlen(route) + 2;
		n++;
	}
	qsort(e, n, sizeof(*e), ent_cmp);
	total = RINDEX_HDR + n * RINDEX_ENT + strbytes;
	if (total > (size_t)RINDEX_MAX || !(buf = malloc(total)))
		goto done;
	memcpy(buf, RINDEX_MAGIC, 8);
	put32(buf + 8, (uint32_t)n);
	put32(buf + 12, (uint32_t)strbytes);
	off = 0;
	for (i = 0; i < n; i++) {
		unsigned char *t = buf + RINDEX_HDR + i * RINDEX_ENT;
		char *s = (char *)buf + RINDEX_HDR + n * RINDEX_ENT;
		uint64_t c = (uint64_t)e[i].cost;
		size_t k;

		put32(t, (uint32_t)off);
		k = strlen(e[i].name) + 1;
		memcpy(s + off, e[i].name, k);
		off += k;
		put32(t + 4, (uint32_t)off);
		k = strlen(e[i].route) + 1;
		memcpy(s + off, e[i].route, k);
		off += k;
		put32(t + 8, (uint32_t)c);
		put32(t + 12, (uint32_t)(c >> 32));
	}
	rc = file_write_atomic(path, buf, total, 0644);
done:
	for (i = 0; i < n; i++)
		free(e[i].route);
	free(e);
	free(buf);
	return rc;
}

/* rindex_load - check an index already in memory (takes buf); 0 or -1 */
int
rindex_load(struct rindex *ri, unsigned char *buf, size_t len)
{
	uint32_t i, n, sb;

	memset(ri, 0, sizeof(*ri));
	if (len < RINDEX_HDR || memcmp(buf, RINDEX_MAGIC, 8) != 0)
		goto bad;
	n = get32(buf + 8);
	sb = get32(buf + 12);
	if ((uint64_t)n * RINDEX_ENT + sb + RINDEX_HDR != len || (sb > 0 && buf[len - 1] != '\0'))
		goto bad;
	ri->buf = buf;
	ri->len = len;
	ri->n = n;
	ri->tab = buf + RINDEX_HDR;
	ri->str = (const char *)buf + RINDEX_HDR + (size_t)n * RINDEX_ENT;
	ri->strbytes = sb;
	for (i = 0; i < n; i++)
		if (get32(ri->tab + (size_t)i * RINDEX_ENT) >= sb ||
		    get32(ri->tab + (size_t)i * RINDEX_ENT + 4) >= sb)
			goto bad;
	return 0;
bad:
	memset(ri, 0, sizeof(*ri));
	free(buf);
	return -1;
}

/* rindex_open - read and check an index file; 0 or -1 */
int
rindex_open(struct rindex *ri, const char *path)
{
	size_t len;
	unsigned char *buf = (unsigned char *)file_read(path, RINDEX_MAX, &len);

	if (!buf) {
		memset(ri, 0, sizeof(*ri));
		return -1;
	}
	return rindex_load(ri, buf, len);
}

/* rindex_close - release an opened index */
void
rindex_close(struct rindex *ri)
{
	free(ri->buf);
	memset(ri, 0, sizeof(*ri));
}

/* rindex_find - exact name lookup: route template and cost; 0 or -1 */
int
rindex_find(const struct rindex *ri, const char *name, const char **route, long *cost)
{
	uint32_t lo = 0, hi = ri->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const unsigned char *t = ri->tab + (size_t)mid * RINDEX_ENT;
		int c = strcmp(name, ri->str + get32(t));

		if (c == 0) {
			if (route)
				*route = ri->str + get32(t + 4);
			if (cost)
				*cost = (long)((uint64_t)get32(t + 8) | (uint64_t)get32(t + 12) << 32);
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* fill - route template with its %s replaced by arg */
static int
fill(const char *tmpl, const char *arg, char *out, size_t len)
{
	const char *s = strstr(tmpl, "%s");

	if (!s)
		return -1;
	return str_fmt(out, len, "%.*s%s%s", (int)(s - tmpl), tmpl, arg, s + 2);
}

/* rindex_route - the bang path for an address (see rindex.h) */
int
rindex_route(const struct rindex *ri, const char *addr, char *out, size_t len)
{
	char host[512], arg[1024];
	const char *at = strrchr(addr, '@'), *bang = strchr(addr, '!'), *route, *d;
	size_t hl;

	if (at) {
		/* user@host[.uucp] or user@some.domain */
		if (str_copy(host, at + 1, sizeof(host)) != 0 || at == addr || host[0] == '\0')
			return -1;
		hl = strlen(host);
		if (hl > 5 && strcasecmp(host + hl - 5, ".uucp") == 0)
			host[hl - 5] = '\0';
		if (str_fmt(arg, sizeof(arg), "%.*s", (int)(at - addr), addr) != 0)
			return -1;
		if (rindex_find(ri, host, &route, NULL) == 0)
			return fill(route, arg, out, len);
		if (str_fmt(arg, sizeof(arg), "%s!%.*s", host, (int)(at - addr), addr) != 0)
			return -1;
		for (d = strchr(host, '.'); d; d = strchr(d + 1, '.'))
			if (rindex_find(ri, d, &route, NULL) == 0)
				return fill(route, arg, out, len);
		return -1;
	}
	if (!bang || bang == addr)
		return -1;
	/* host!rest: route to the first hop, the rest follows it */
	if (str_fmt(host, sizeof(host), "%.*s", (int)(bang - addr), addr) != 0 ||
	    rindex_find(ri, host, &route, NULL) != 0)
		return -1;
	return fill(route, bang + 1, out, len);
}
