/*
 * rcheck.h - check a route table against the declared map: every hop of
 * every bang path must follow a declared link, or a chain of declared
 * links through networks, domains and aliases (which a route does not
 * name), or the reverse of a declared link (a back link).
 *
 * Tables are untrusted text (uuroute's own output or pathalias's):
 * lines are bounded, a malformed line is counted as bad.
 */
#ifndef BRIGADE_ROUTE_RCHECK_H
#define BRIGADE_ROUTE_RCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "route/map.h"

struct rcheck_stats {
	unsigned long routes;	/* table lines checked */
	unsigned long hops;	/* hops in them */
	unsigned long direct;	/* hops over one declared link */
	unsigned long via;	/* hops through networks, domains or aliases */
	unsigned long back;	/* hops against a declared link */
	unsigned long backroutes; /* routes with at least one such hop */
	unsigned long bad;	/* hops (or lines) with no declared relation */
	unsigned long skipped;	/* routes not in bang form (@, %, :) */
};

struct rcheck;

/* rcheck_new - a checker for routes from home over map m; NULL if home unknown */
struct rcheck *rcheck_new(const struct map *m, const char *home);
/* rcheck_free - release a checker */
void rcheck_free(struct rcheck *rc);
/* rcheck_route - check one route ("a!b!%s"); 0 if every hop is declared, -1 if not */
int rcheck_route(struct rcheck *rc, const char *route, struct rcheck_stats *st);
/* rcheck_table - check "[cost<TAB>]name<TAB>route" lines; bad ones to err; -1 on read error */
int rcheck_table(struct rcheck *rc, FILE *in, FILE *err, struct rcheck_stats *st);

#endif
