/*
 * rcheck.c - check that every hop of a route table follows the declared
 * map (docs/routing.md, "Checking routes").
 *
 * A hop x!y is declared when x (or an alias of x) has a link to y, or
 * reaches y through networks, domains and aliases (pseudo-hosts a route
 * does not name: a member reaches its net, the net its members, a
 * gateway its domain, the domain its hosts and subdomains), or when a
 * link of that kind is declared the other way (a back link).  A hop name
 * is a node's name, or a host's name with domains appended
 * ("shrdlu.kwnet.on.ca").
 *
 * The map is trusted (built by the parser); table lines are not: they
 * are bounded by RCHECK_LINE_MAX and hop names by the name limit.
 */
#include <stdlib.h>
#include <string.h>

#include "route/rcheck.h"

#define RCHECK_LINE_MAX	8192
#define RCHECK_CAND	64	/* nodes one hop name may stand for */

struct rname {
	const char *name;
	uint32_t n;
};

struct rcheck {
	const struct map *m;
	uint32_t home;
	struct rname *byname;	/* every node, sorted by name */
	uint32_t *roff;		/* per node: first reverse link in rfrom */
	uint32_t *rfrom;	/* per link into a node: the node it leaves */
	uint32_t *rlink;	/* per link into a node: the link */
	uint32_t *hit, *seen;	/* generation stamps */
	uint32_t *queue;
	uint32_t gen;
};

/* rname_cmp - order names for the binary search */
static int
rname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rname *)a)->name, ((const struct rname *)b)->name);
}

/* link_declared - whether a link was declared (not a placeholder of dead/delete) */
static int
link_declared(const struct map_link *l)
{
	return !(l->flags & (MAP_LPLACEHOLD | MAP_LDELETED | MAP_LBACK));
}

/* unnamed - a node a route passes without naming it: a network or domain */
static int
unnamed(const struct map *m, uint32_t n)
{
	return (m->node[n].flags & (MAP_NNET | MAP_NDOMAIN)) != 0;
}

/* rcheck_free - release a checker */
void
rcheck_free(struct rcheck *rc)
{
	if (!rc)
		return;
	free(rc->byname);
	free(rc->roff);
	free(rc->rfrom);
	free(rc->rlink);
	free(rc->hit);
	free(rc->seen);
	free(rc->queue);
	free(rc);
}

/* build_reverse - index every declared link by the node it leads to */
static void
build_reverse(struct rcheck *rc)
{
	const struct map *m = rc->m;
	size_t n, li;

	for (li = 0; li < m->nlink; li++)
		if (link_declared(&m->link[li]))
			rc->roff[m->link[li].to + 1]++;
	for (n = 0; n < m->nnode; n++)
		rc->roff[n + 1] += rc->roff[n];
		/* hit[] counts each node's links still to place (zero again after) */
	for (n = 0; n < m->nnode; n++)
		rc->hit[n] = rc->roff[n + 1] - rc->roff[n];
	for (n = 0; n < m->nnode; n++) {
		uint32_t l;

		for (l = m->node[n].link; l != MAP_NONE; l = m->link[l].next) {
			uint32_t to = m->link[l].to;

			if (link_declared(&m->link[l])) {
				uint32_t at = rc->roff[to] + --rc->hit[to];

				rc->rfrom[at] = (uint32_t)n;
				rc->rlink[at] = l;
			}
		}
	}
}

/* rcheck_new - a checker for routes from home over map m; NULL if home unknown */
struct rcheck *
rcheck_new(const struct map *m, const char *home)
{
	struct rcheck *rc = calloc(1, sizeof(*rc));
	size_t n;

	if (!rc)
		return NULL;
	rc->m = m;
	rc->home = map_lookup(m, home);
	rc->byname = malloc((m->nnode + 1) * sizeof(*rc->byname));
	rc->roff = calloc(m->nnode + 2, sizeof(*rc->roff));
	rc->rfrom = malloc((m->nlink + 1) * sizeof(*rc->rfrom));
	rc->rlink = malloc((m->nlink + 1) * sizeof(*rc->rlink));
	rc->hit = calloc(m->nnode + 1, sizeof(*rc->hit));
	rc->seen = calloc(m->nnode + 1, sizeof(*rc->seen));
	rc->queue = malloc((m->nnode + 1) * sizeof(*rc->queue));
	if (rc->home == MAP_NONE || !rc->byname || !rc->roff || !rc->rfrom || !rc->rlink ||
	    !rc->hit || !rc->seen || !rc->queue) {
		rcheck_free(rc);
		return NULL;
	}
	for (n = 0; n < m->nnode; n++) {
		rc->byname[n].name = map_name(m, (uint32_t)n);
		rc->byname[n].n = (uint32_t)n;
	}
	qsort(rc->byname, m->nnode, sizeof(*rc->byname), rname_cmp);
	build_reverse(rc);
	return rc;
}

/* find_name - add the nodes named exactly name[0..len) to out; returns the new count */
static size_t
find_name(const struct rcheck *rc, const char *name, size_t len, uint32_t *out, size_t k)
{
	char key[MAP_NAME_MAX + 1];
	size_t lo = 0, hi = rc->m->nnode;

	if (len == 0 || len > MAP_NAME_MAX)
		return k;
	memcpy(key, name, len);
	key[len] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(rc->byname[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rc->m->nnode && k < RCHECK_CAND && strcmp(rc->byname[lo].name, key) == 0; lo++)
		out[k++] = rc->byname[lo].n;
	return k;
}

/* candidates - the nodes a hop name may stand for: itself, or host + domains */
static size_t
candidates(const struct rcheck *rc, const char *hop, size_t len, uint32_t *out)
{
	size_t k = find_name(rc, hop, len, out, 0), i;

	for (i = 1; i < len; i++)
		if (hop[i] == '.')
			k = find_name(rc, hop, i, out, k);
	return k;
}

/* push - queue node n for expansion in this generation */
static void
push(struct rcheck *rc, uint32_t n, size_t *qn)
{
	if (rc->seen[n] != rc->gen) {
		rc->seen[n] = rc->gen;
		rc->queue[(*qn)++] = n;
	}
}

/* follow - mark n reached over link flags lf; expand it if a route would not name it */
static void
follow(struct rcheck *rc, uint32_t n, unsigned lf, size_t *qn)
{
	rc->hit[n] = rc->gen;
	if (unnamed(rc->m, n) || (lf & MAP_LALIAS))
		push(rc, n, qn);
}

/*
 * reach - mark (hit) every node reachable from xs over declared links
 * whose inner nodes are networks, domains or aliases; with back, links
 * may also be followed against their direction.
 */
static void
reach(struct rcheck *rc, const uint32_t *xs, size_t nx, int back)
{
	const struct map *m = rc->m;
	size_t qn = 0, qi = 0, i;

	rc->gen++;
	for (i = 0; i < nx; i++)
		push(rc, xs[i], &qn);
	while (qi < qn) {
		uint32_t u = rc->queue[qi++], l;

		for (l = m->node[u].link; l != MAP_NONE; l = m->link[l].next)
			if (link_declared(&m->link[l]))
				follow(rc, m->link[l].to, m->link[l].flags, &qn);
		for (l = back ? rc->roff[u] : 0; back && l < rc->roff[u + 1]; l++)
			follow(rc, rc->rfrom[l], m->link[rc->rlink[l]].flags, &qn);
	}
}

/* direct - whether some x in xs has a declared link to some y in ys; keeps those y */
static size_t
direct(const struct rcheck *rc, const uint32_t *xs, size_t nx, uint32_t *ys, size_t ny)
{
	const struct map *m = rc->m;
	size_t i, j, k = 0;

	for (j = 0; j < ny; j++) {
		int found = 0;

		for (i = 0; i < nx && !found; i++) {
			uint32_t l;

			for (l = m->node[xs[i]].link; l != MAP_NONE && !found; l = m->link[l].next)
				found = m->link[l].to == ys[j] && link_declared(&m->link[l]);
		}
		if (found)
			ys[k++] = ys[j];
	}
	return k;
}

/* hits - keep the ys reached in this generation */
static size_t
hits(const struct rcheck *rc, uint32_t *ys, size_t ny)
{
	size_t j, k = 0;

	for (j = 0; j < ny; j++)
		if (rc->hit[ys[j]] == rc->gen)
			ys[k++] = ys[j];
	return k;
}

/* rcheck_route - check one route ("a!b!%s"); 0 if every hop is declared, -1 if not */
int
rcheck_route(struct rcheck *rc, const char *route, struct rcheck_stats *st)
{
	uint32_t xs[RCHECK_CAND], ys[RCHECK_CAND];
	size_t nx = 1, ny, len = strlen(route);
	const char *p = route, *bang;
	int bad = 0, back = 0;

	st->routes++;
	if (strpbrk(route, "@:") || (strchr(route, '%') &&
	    (len < 2 || strchr(route, '%') != route + len - 2))) {
		st->skipped++;
		return 0;
	}
	xs[0] = rc->home;
	while ((bang = strchr(p, '!')) != NULL) {
		size_t k;

		st->hops++;
		ny = candidates(rc, p, (size_t)(bang - p), ys);
		if ((k = direct(rc, xs, nx, ys, ny)) > 0) {
			st->direct++;
		} else if (reach(rc, xs, nx, 0), (k = hits(rc, ys, ny)) > 0) {
			st->via++;
		} else if (reach(rc, xs, nx, 1), (k = hits(rc, ys, ny)) > 0) {
			st->back++;
			back = 1;
		} else {
			st->bad++;
			bad = 1;
			k = ny;
		}
		if (k == 0)
			break;
		memcpy(xs, ys, k * sizeof(*xs));
		nx = k;
		p = bang + 1;
	}
	if (strcmp(p, "%s") != 0 && !bad) {
		st->bad++;
		bad = 1;
	}
	st->backroutes += (unsigned long)back;
	return bad ? -1 : 0;
}

/* rcheck_table - check "[cost<TAB>]name<TAB>route" lines; bad ones to err; -1 on read error */
int
rcheck_table(struct rcheck *rc, FILE *in, FILE *err, struct rcheck_stats *st)
{
	char line[RCHECK_LINE_MAX];

	while (fgets(line, sizeof(line), in)) {
		char *route = strrchr(line, '\t');
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(in))
			route = NULL;	/* too long: a bad line */
		if (!route) {
			st->routes++;
			st->bad++;
			if (err)
				fprintf(err, "bad line: %.60s\n", line);
			if (len == sizeof(line) - 1) {
				int ch;

				while ((ch = getc(in)) != EOF && ch != '\n')
					;
			}
			continue;
		}
		if (rcheck_route(rc, route + 1, st) != 0 && err)
			fprintf(err, "undeclared hop: %s\n", line);
	}
	return ferror(in) ? -1 : 0;
}
