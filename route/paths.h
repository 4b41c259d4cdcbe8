/*
 * paths.h - least-cost routes over a parsed map, as pathalias computes
 * them: Dijkstra from the local host with pathalias's penalties, then
 * back links (at a penalty) to hosts the declared links do not reach.
 */
#ifndef BRIGADE_ROUTE_PATHS_H
#define BRIGADE_ROUTE_PATHS_H

#include <stdint.h>
#include <stdio.h>

#include "route/map.h"

#define PATHS_ROUTE_MAX	4096	/* longest route string built */

/* per-node state flags */
#define PATHS_MAPPED	0x01	/* cost is final */
#define PATHS_RIGHT	0x04	/* reached by a user@host (right) link */
#define PATHS_BACK	0x08	/* reached through a back link */

/*
 * Two states per node: s = n is the node reached so that mail may go on
 * through it, s = n + nnode the node reached over a terminal link.
 */
struct paths {
	const struct map *m;
	size_t n;		/* nodes in the map */
	uint32_t home;
	long *scost;		/* per state, -1 if unreached */
	uint32_t *sparent;	/* state before, MAP_NONE for home/unreached */
	uint32_t *slink;	/* the link used from the parent */
	unsigned char *state;
};

/* paths_compute - routes from host home; -1 if home is unknown or no memory */
int paths_compute(struct paths *p, const struct map *m, const char *home);
/* paths_free - release what paths_compute allocated */
void paths_free(struct paths *p);
/* paths_cost - node n's cost, -1 if unreached */
long paths_cost(const struct paths *p, uint32_t n);
/* paths_parent - the node before n on its route, MAP_NONE if none */
uint32_t paths_parent(const struct paths *p, uint32_t n);
/* paths_printable - whether pathalias would print node n */
int paths_printable(const struct paths *p, uint32_t n);
/* paths_route - node n's route ("a!b!%s") into buf; -1 if none or too long */
int paths_route(const struct paths *p, uint32_t n, char *buf, size_t len);
/* paths_print - the whole table, pathalias style; -1 on write error */
int paths_print(const struct paths *p, FILE *fp, int costs);

#endif
