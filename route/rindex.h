/*
 * rindex.h - the compiled route index: a file uuroute -o writes and
 * rmail and the gateway read (one read) to turn an address into a bang
 * path.  The file is checked before use; lookups are binary searches.
 *
 * Format (all integers little-endian):
 *   "BRIX0001"  u32 count  u32 strbytes
 *   count x { u32 name_off  u32 route_off  i64 cost }, sorted by name
 *   strbytes of NUL-terminated strings
 */
#ifndef BRIGADE_ROUTE_RINDEX_H
#define BRIGADE_ROUTE_RINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "route/paths.h"

#define RINDEX_MAGIC	"BRIX0001"
#define RINDEX_MAX	(512L * 1024 * 1024)

struct rindex {
	unsigned char *buf;	/* the whole file */
	size_t len;
	uint32_t n;		/* entries */
	const unsigned char *tab;
	const char *str;
	uint32_t strbytes;
};

/* rindex_write - write the printable routes of p to path atomically */
int rindex_write(const char *path, const struct paths *p);
/* rindex_open - read and check an index file; 0 or -1 */
int rindex_open(struct rindex *ri, const char *path);
/* rindex_load - check an index already in memory (takes buf); 0 or -1 */
int rindex_load(struct rindex *ri, unsigned char *buf, size_t len);
/* rindex_close - release an opened index */
void rindex_close(struct rindex *ri);
/* rindex_find - exact name lookup: route template and cost; 0 or -1 */
int rindex_find(const struct rindex *ri, const char *name, const char **route, long *cost);
/*
 * rindex_route - the bang path for an address: user@host.uucp, host!user,
 * user@some.domain (the longest domain suffix known), or a bang path
 * whose first hop is not a neighbour.  Writes e.g. "a!b!host!user" to
 * out; 0, or -1 if no route or it does not fit.
 */
int rindex_route(const struct rindex *ri, const char *addr, char *out, size_t len);

#endif
