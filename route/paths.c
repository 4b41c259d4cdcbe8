/*
 * paths.c - least-cost routes over a parsed map, the way pathalias
 * computes them (docs/routing.md lists the rules).
 *
 * Input is a struct map built by the parser, trusted to be consistent;
 * costs are clamped so sums cannot overflow, route strings are bounded
 * by PATHS_ROUTE_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "route/paths.h"

#define PATHS_COST_CAP	(1L << 50)

struct heap {
	uint32_t *v;		/* node indices */
	uint32_t *pos;		/* per node: index in v, MAP_NONE if out */
	size_t n;
	const long *cost;
};

/* heap_less - order by cost, then by node number for stable results */
static int
heap_less(const struct heap *h, uint32_t a, uint32_t b)
{
	return h->cost[a] < h->cost[b] || (h->cost[a] == h->cost[b] && a < b);
}

/* heap_swap - exchange two slots */
static void
heap_swap(struct heap *h, size_t i, size_t j)
{
	uint32_t t = h->v[i];

	h->v[i] = h->v[j];
	h->v[j] = t;
	h->pos[h->v[i]] = (uint32_t)i;
	h->pos[h->v[j]] = (uint32_t)j;
}

/* heap_up - restore order after a key decreased */
static void
heap_up(struct heap *h, size_t i)
{
	while (i > 0 && heap_less(h, h->v[i], h->v[(i - 1) / 2])) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

/* heap_push - insert or decrease node n */
static void
heap_push(struct heap *h, uint32_t n)
{
	if (h->pos[n] == MAP_NONE) {
		h->v[h->n] = n;
		h->pos[n] = (uint32_t)h->n;
		h->n++;
	}
	heap_up(h, h->pos[n]);
}

/* heap_pop - remove and return the cheapest node */
static uint32_t
heap_pop(struct heap *h)
{
	uint32_t top = h->v[0];
	size_t i = 0;

	h->n--;
	if (h->n > 0) {
		heap_swap(h, 0, h->n);
	}
	h->pos[top] = MAP_NONE;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;

		if (l < h->n && heap_less(h, h->v[l], h->v[s]))
			s = l;
		if (r < h->n && heap_less(h, h->v[r], h->v[s]))
			s = r;
		if (s == i)
			break;
		heap_swap(h, i, s);
		i = s;
	}
	return top;
}

/* is_net - a network or domain pseudo-host */
static int
is_net(const struct map *m, uint32_t n)
{
	return (m->node[n].flags & (MAP_NNET | MAP_NDOMAIN)) != 0;
}

/* link_cost - cost of reaching l->to from prev over link l */
static long
link_cost(const struct paths *p, uint32_t ps, const struct map_link *l)
{
	const struct map *m = p->m;
	const struct map_node *to = &m->node[l->to];
	uint32_t prev = ps % p->n;
	long c = p->scost[ps];

	if (l->flags & MAP_LALIAS)
		return ps < p->n && !is_net(m, prev) && (to->flags & MAP_NGATED) ?
		    c + MAP_INF : c;
	if (c >= MAP_INF)
		c += 1;
	c += l->cost + m->node[prev].adjust;
	if (l->flags & MAP_LDEAD)
		c += MAP_INF;
	if ((ps >= p->n && !is_net(m, prev)) ||
	    (m->node[prev].flags & MAP_NDEAD))
		c += MAP_INF;
	if ((m->node[prev].flags & (MAP_NNET | MAP_NDOMAIN)) == MAP_NNET &&
	    (to->flags & MAP_NDOMAIN) && !(l->flags & MAP_LGATEWAY))
		c += MAP_INF;
	if ((l->flags & MAP_LMEMBER) && !(l->flags & MAP_LGATEWAY) &&
	    ((to->flags & MAP_NDOMAIN) || (to->flags & MAP_NGATEWAYED)))
		c += MAP_INF;
	if (!is_net(m, prev) && prev != p->home &&
	    !!(p->state[ps] & PATHS_RIGHT) != !!(l->flags & MAP_LRIGHT))
		c += MAP_INF;
	/* A hop never makes a route cheaper: a negative link cost or
	 * adjustment (the map's arithmetic allows them) must not form a
	 * negative cycle, which would make the search run without end. */
	if (c < p->scost[ps])
		c = p->scost[ps];
	return c > PATHS_COST_CAP ? PATHS_COST_CAP : c;
}

/* relax - offer the state of l's far end a cost from state fs over link li */
static void
relax(struct paths *p, struct heap *h, uint32_t fs, uint32_t li, long c, int back)
{
	const struct map_link *l = &p->m->link[li];
	uint32_t to = back ? fs : l->to, ts;

	/* terminal links (and aliases of terminal states) reach the terminal copy */
	if (!back && ((l->flags & MAP_LTERMINAL) || (fs >= p->n &&
	    ((l->flags & MAP_LALIAS) || is_net(p->m, fs % p->n)))))
		to += (uint32_t)p->n;
	ts = to;
	if (p->state[ts] & PATHS_MAPPED)
		return;
	if (p->scost[ts] >= 0 && p->scost[ts] <= c)
		return;
	p->scost[ts] = c;
	p->sparent[ts] = back ? l->to + 0 : fs;
	p->slink[ts] = li;
	p->state[ts] &= (unsigned char)~(PATHS_RIGHT | PATHS_BACK);
	if (back)
		p->state[ts] |= PATHS_BACK;
	else if (l->flags & MAP_LALIAS)
		p->state[ts] |= p->state[fs] & PATHS_RIGHT;
	else if (l->flags & MAP_LRIGHT)
		p->state[ts] |= PATHS_RIGHT;
	heap_push(h, ts);
}

/* usable - whether a link takes part in routing */
static int
usable(const struct map *m, const struct map_link *l)
{
	return !(l->flags & (MAP_LDELETED | MAP_LPLACEHOLD)) &&
	    !(m->node[l->to].flags & MAP_NDELETED);
}

/* run - Dijkstra until the heap is empty */
static void
run(struct paths *p, struct heap *h)
{
	const struct map *m = p->m;

	while (h->n > 0) {
		uint32_t s = heap_pop(h), li;

		p->state[s] |= PATHS_MAPPED;
		for (li = m->node[s % p->n].link; li != MAP_NONE; li = m->link[li].next) {
			const struct map_link *l = &m->link[li];

			/* a member enters its domain only as its gateway */
			if ((l->flags & MAP_LMEMBER) && !(l->flags & MAP_LGATEWAY) &&
			    (m->node[l->to].flags & MAP_NDOMAIN))
				continue;
			/* a terminal host's terminal links lead nowhere */
			if (s >= p->n && (l->flags & MAP_LTERMINAL) && !is_net(m, s % p->n))
				continue;
			if (usable(m, l))
				relax(p, h, s, li, link_cost(p, s, l), 0);
		}
	}
}

/* best - the state a node is printed from: the cheaper, on a tie the through one */
static uint32_t
best(const struct paths *p, uint32_t n)
{
	long a = p->scost[n], b = p->scost[n + p->n];

	if (a < 0 && b < 0)
		return MAP_NONE;
	return a >= 0 && (b < 0 || a <= b) ? n : n + (uint32_t)p->n;
}

/*
 * back_links - offer each unreached node the reverse of its links to
 * reached nodes, at the INF penalty; returns how many were offered.
 */
static size_t
back_links(struct paths *p, struct heap *h)
{
	const struct map *m = p->m;
	size_t n, offered = 0;

	for (n = 0; n < p->n; n++) {
		uint32_t li;

		if (best(p, (uint32_t)n) != MAP_NONE || (m->node[n].flags & MAP_NDELETED))
			continue;
		for (li = m->node[n].link; li != MAP_NONE; li = m->link[li].next) {
			const struct map_link *l = &m->link[li];
			uint32_t b = l->to;
			long c;

			/* mail goes back through the far end: its through state */
			if (!(p->state[b] & PATHS_MAPPED) && !is_net(m, b))
				b += (uint32_t)p->n;
			if (!usable(m, l) || !(p->state[b] & PATHS_MAPPED) ||
			    (m->node[l->to].flags & MAP_NDOMAIN))
				continue;
			c = p->scost[b] > PATHS_COST_CAP ? PATHS_COST_CAP :
			    p->scost[b] < 0 ? 0 : p->scost[b];
			c = 2 * c + 1 + MAP_INF;
			if (c > PATHS_COST_CAP)
				c = PATHS_COST_CAP;
			if (p->scost[n] < 0 || c < p->scost[n]) {
				p->scost[n] = c;
				p->sparent[n] = b;
				p->slink[n] = li;
				p->state[n] = PATHS_BACK;
				heap_push(h, (uint32_t)n);
				offered++;
			}
		}
	}
	return offered;
}

/* paths_free - release what paths_compute allocated */
void
paths_free(struct paths *p)
{
	free(p->scost);
	free(p->sparent);
	free(p->slink);
	free(p->state);
	memset(p, 0, sizeof(*p));
}

/* paths_compute - routes from host home; -1 if home is unknown or no memory */
int
paths_compute(struct paths *p, const struct map *m, const char *home)
{
	struct heap h;
	size_t i, ns;

	memset(p, 0, sizeof(*p));
	memset(&h, 0, sizeof(h));
	p->m = m;
	p->n = m->nnode;
	p->home = map_lookup(m, home);
	if (p->home == MAP_NONE)
		return -1;
	ns = 2 * p->n;
	p->scost = malloc(ns * sizeof(*p->scost));
	p->sparent = malloc(ns * sizeof(*p->sparent));
	p->slink = malloc(ns * sizeof(*p->slink));
	p->state = calloc(ns, 1);
	h.v = malloc(ns * sizeof(*h.v));
	h.pos = malloc(ns * sizeof(*h.pos));
	if (!p->scost || !p->sparent || !p->slink || !p->state || !h.v || !h.pos) {
		free(h.v);
		free(h.pos);
		paths_free(p);
		return -1;
	}
	for (i = 0; i < ns; i++) {
		p->scost[i] = -1;
		p->sparent[i] = p->slink[i] = h.pos[i] = MAP_NONE;
	}
	h.cost = p->scost;
	p->scost[p->home] = 0;
	heap_push(&h, p->home);
	do
		run(p, &h);
	while (back_links(p, &h) > 0);
	free(h.v);
	free(h.pos);
	return 0;
}

/* paths_cost - node n's cost, -1 if unreached */
long
paths_cost(const struct paths *p, uint32_t n)
{
	uint32_t s = best(p, n);

	return s == MAP_NONE ? -1 : p->scost[s];
}

/* paths_parent - the node before n on its route, MAP_NONE if none */
uint32_t
paths_parent(const struct paths *p, uint32_t n)
{
	uint32_t s = best(p, n);

	return s == MAP_NONE || p->sparent[s] == MAP_NONE ? MAP_NONE :
	    p->sparent[s] % (uint32_t)p->n;
}

/* paths_printable - whether pathalias would print node n */
int
paths_printable(const struct paths *p, uint32_t n)
{
	const struct map_node *nd = &p->m->node[n];
	uint32_t s = best(p, n);

	if (s == MAP_NONE || (nd->flags & (MAP_NPRIVATE | MAP_NDELETED)))
		return 0;
	if (nd->flags & MAP_NDOMAIN)
		return p->sparent[s] == MAP_NONE ||
		    !(p->m->node[p->sparent[s] % p->n].flags & MAP_NDOMAIN);
	return !(nd->flags & MAP_NNET);
}

/* subst - replace the "%s" in buf by pre "%s" post */
static int
subst(char *buf, size_t len, const char *pre, size_t prelen, const char *post, size_t postlen)
{
	char *s = strstr(buf, "%s");
	size_t used = strlen(buf);

	if (!s || used + prelen + postlen >= len)
		return -1;
	memmove(s + prelen + 2 + postlen, s + 2, strlen(s + 2) + 1);
	memcpy(s, pre, prelen);
	memcpy(s + prelen, "%s", 2);
	memcpy(s + prelen + 2, post, postlen);
	return 0;
}

/* hop_name - the name a host is addressed by: with its domains appended */
static int
hop_name(const struct paths *p, uint32_t s, char *out, size_t len)
{
	const struct map *m = p->m;
	size_t used;
	uint32_t d;

	if (strlen(map_name(m, s % p->n)) >= len)
		return -1;
	strcpy(out, map_name(m, s % p->n));
	used = strlen(out);
	for (d = p->sparent[s]; d != MAP_NONE && (m->node[d % p->n].flags & MAP_NDOMAIN);
	    d = p->sparent[d]) {
		const char *dn = map_name(m, d % p->n);
		size_t k = strlen(dn);

		if (used + k >= len)
			return -1;
		memcpy(out + used, dn, k + 1);
		used += k;
	}
	return (int)used;
}

/* paths_route - node n's route ("a!b!%s") into buf; -1 if none or too long */
int
paths_route(const struct paths *p, uint32_t n, char *buf, size_t len)
{
	const struct map *m = p->m;
	uint32_t chain[1024], s = best(p, n);
	size_t depth = 0;

	if (len < 3 || s == MAP_NONE)
		return -1;
	while (s != p->home) {
		if (depth == sizeof(chain) / sizeof(chain[0]) || p->sparent[s] == MAP_NONE)
			return -1;
		chain[depth++] = s;
		s = p->sparent[s];
	}
	strcpy(buf, "%s");
	while (depth-- > 0) {
		const struct map_link *l;
		char hop[2 * MAP_NAME_MAX + 4];
		char nc;
		int k;

		s = chain[depth];
		l = &m->link[p->slink[s]];
		if (((l->flags & MAP_LALIAS) && !(p->state[s] & PATHS_BACK)) || is_net(m, s % p->n))
			continue;
		k = hop_name(p, s, hop + 1, sizeof(hop) - 2);
		if (k < 0)
			return -1;
		nc = l->netchar;
		if ((l->flags & MAP_LRIGHT) && !(p->state[s] & PATHS_BACK)) {
			/* the magic %: only the rightmost @ stays an @ */
			if (nc == '@' && strchr(strstr(buf, "%s") + 2, '@'))
				nc = '%';
			hop[0] = nc;
			if (subst(buf, len, "", 0, hop, (size_t)k + 1) != 0)
				return -1;
			continue;
		}
		hop[k + 1] = nc;
		if (subst(buf, len, hop + 1, (size_t)k + 1, "", 0) != 0)
			return -1;
	}
	return 0;
}

/* paths_print - the whole table, pathalias style; -1 on write error */
int
paths_print(const struct paths *p, FILE *fp, int costs)
{
	char route[PATHS_ROUTE_MAX];
	size_t n;

	for (n = 0; n < p->n; n++) {
		if (!paths_printable(p, (uint32_t)n) ||
		    paths_route(p, (uint32_t)n, route, sizeof(route)) != 0)
			continue;
		if (costs)
			fprintf(fp, "%ld\t", paths_cost(p, (uint32_t)n));
		fprintf(fp, "%s\t%s\n", map_name(p->m, (uint32_t)n), route);
	}
	return ferror(fp) ? -1 : 0;
}
