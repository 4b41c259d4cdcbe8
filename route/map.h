/*
 * map.h - the UUCP map (pathalias input) parser: hosts, links, networks,
 * domains, aliases and the private/dead/delete/adjust/file statements.
 *
 * The parser is pure: it reads a buffer and adds to an in-memory graph.
 * Map files are untrusted: every name and cost is bounded, a bad
 * statement gets a warning naming file:line and parsing goes on.
 */
#ifndef BRIGADE_ROUTE_MAP_H
#define BRIGADE_ROUTE_MAP_H

#include <stddef.h>
#include <stdint.h>

/* Costs as pathalias really uses them (see docs/routing.md). */
#define MAP_LOCAL	25L
#define MAP_DEDICATED	100L
#define MAP_DIRECT	200L
#define MAP_DEMAND	300L
#define MAP_HOURLY	500L
#define MAP_EVENING	2000L
#define MAP_DAILY	5000L
#define MAP_POLLED	5000L
#define MAP_WEEKLY	30000L
#define MAP_DEAD	1000000L
#define MAP_DEFCOST	4000L
#define MAP_INF		100000000L

#define MAP_NAME_MAX	255	/* longest host or domain name accepted */
#define MAP_NONE	UINT32_MAX

/* node flags */
#define MAP_NNET	0x0001	/* a network (pseudo-host) */
#define MAP_NDOMAIN	0x0002	/* a domain: name begins with '.' */
#define MAP_NPRIVATE	0x0004	/* private to the file that declared it */
#define MAP_NDEAD	0x0008	/* dead {host}: relay of last resort */
#define MAP_NGATEWAYED	0x0010	/* a net entered only through a gateway */
#define MAP_NDELETED	0x0020	/* delete {host} */
#define MAP_NHASLINKS	0x0040	/* has a link statement of its own */
#define MAP_NGATED	0x0080	/* a domain some host declares a link to */

/* link flags */
#define MAP_LRIGHT	0x01	/* net char before the name: user@host form */
#define MAP_LALIAS	0x02	/* an alias: same host, no cost */
#define MAP_LTERMINAL	0x04	/* <host>: mail goes to it, not through */
#define MAP_LDEAD	0x08	/* dead {a!b} or a DEAD cost */
#define MAP_LGATEWAY	0x10	/* a declared link into a net or domain */
#define MAP_LMEMBER	0x20	/* member-to-net link of a net declaration */
#define MAP_LBACK	0x40	/* added in reverse for an unreachable host */
#define MAP_LDELETED	0x80	/* delete {a!b} */
#define MAP_LPLACEHOLD	0x100	/* named by dead/delete, not (yet) declared */
#define MAP_UNDECLARED	MAP_INF	/* cost of a placeholder link */

struct map_link {
	uint32_t to;		/* node index */
	uint32_t next;		/* next link of the same node, MAP_NONE ends */
	long cost;
	char netchar;		/* '!', '@', '%' or ':' */
	unsigned short flags;
};

struct map_node {
	uint32_t name;		/* offset in map.names */
	uint32_t link;		/* first link, MAP_NONE if none */
	uint32_t hnext;		/* hash chain */
	uint32_t flags;
	long adjust;		/* adjust {host(cost)}: added to links out */
};

struct map {
	struct map_node *node;
	size_t nnode, nodecap;
	struct map_link *link;
	size_t nlink, linkcap;
	char *names;		/* NUL-terminated names, back to back */
	size_t nameslen, namescap;
	uint32_t *hash;		/* heads of hash chains */
	size_t hashsize;
	uint32_t *priv;		/* private names of the current file */
	size_t npriv, privcap;
	unsigned long ndeclared;	/* links declared, duplicates and self-links too */
	unsigned long nself;	/* ... of which from a host to itself (dropped) */
	unsigned long nmerged;	/* ... of which duplicates kept as one link */
	unsigned long warnings;
	unsigned long anon;	/* anonymous networks so far */
	int quiet;		/* nonzero: count warnings, do not log */
};

/* map_new - an empty map, NULL if out of memory */
struct map *map_new(void);
/* map_free - release a map */
void map_free(struct map *m);
/* map_parse - add one map file's text; returns warnings given or -1 */
long map_parse(struct map *m, const char *file, const char *buf, size_t len);
/* map_parse_file - read and parse a file; -1 if unreadable */
long map_parse_file(struct map *m, const char *path);
/* map_lookup - the public node named name, MAP_NONE if none */
uint32_t map_lookup(const struct map *m, const char *name);
/* map_intern - the public node named name, created if new */
uint32_t map_intern(struct map *m, const char *name);
/* map_name - a node's name */
const char *map_name(const struct map *m, uint32_t n);
/* map_cost_eval - evaluate a cost expression; 0, or -1 with *err set */
int map_cost_eval(const char *s, long *cost, const char **err);

#endif
