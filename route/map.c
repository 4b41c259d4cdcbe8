/*
 * map.c - the UUCP map parser (pathalias's input language).
 *
 * Reads map text into struct map: a hash of named nodes (hosts,
 * networks, domains) with their outgoing links.  The text is untrusted:
 * names are bounded by MAP_NAME_MAX, costs are clamped, and a statement
 * that does not parse gets one warning with file:line, the parser then
 * skipping to the next statement.  No I/O except in map_parse_file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "route/map.h"

#define MAP_LKIND	(MAP_LRIGHT | MAP_LALIAS | MAP_LTERMINAL | MAP_LGATEWAY | MAP_LMEMBER)

#define MAP_FILE_MAX	(256L * 1024 * 1024)
#define MAP_COST_MAX	(1L << 40)

enum { T_EOF, T_NL, T_NAME, T_NET, T_CHAR, T_COST };

struct lex {
	struct map *m;
	const char *file;
	const char *p, *end;
	unsigned long line, stline;
	int depth;		/* open braces: newlines inside are blanks */
	int tok;		/* current token */
	int ch;			/* T_CHAR / T_NET: the character */
	char text[MAP_NAME_MAX + 1];	/* T_NAME text, T_COST expression */
	int toolong;
};

/* name_char - whether c may appear in an unquoted name */
static int
name_char(int c)
{
	return c > ' ' && c != 0x7f && !strchr(",=(){}<>#\"!@%:", c);
}

/* map_warn - a warning about the statement at the current line */
static void
map_warn(struct lex *lx, const char *what)
{
	lx->m->warnings++;
	if (!lx->m->quiet)
		log_warnx("%s:%lu: %s", lx->file, lx->stline ? lx->stline : lx->line, what);
}

/* lex_blank - skip blanks, comments and continuation newlines */
static void
lex_blank(struct lex *lx)
{
	while (lx->p < lx->end) {
		int c = (unsigned short)*lx->p;

		if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '\n') {
			if (lx->depth == 0 && (lx->p + 1 >= lx->end ||
			    (lx->p[1] != ' ' && lx->p[1] != '\t')))
				return;
			lx->line++;
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
		    c == '\0') {
			lx->p++;
		} else {
			return;
		}
	}
}

/* lex_name - read a plain or quoted name into lx->text */
static void
lex_name(struct lex *lx)
{
	size_t n = 0;
	int quoted = *lx->p == '"';

	lx->toolong = 0;
	if (quoted)
		lx->p++;
	while (lx->p < lx->end) {
		int c = (unsigned short)*lx->p;

		if (quoted ? (c == '"' || c == '\n') : !name_char(c))
			break;
		if (n < MAP_NAME_MAX)
			lx->text[n++] = (char)c;
		else
			lx->toolong = 1;
		lx->p++;
	}
	if (quoted && lx->p < lx->end && *lx->p == '"')
		lx->p++;
	lx->text[n] = '\0';
}

/* lex_cost - read a parenthesised cost expression (without the parens) */
static void
lex_cost(struct lex *lx)
{
	size_t n = 0;
	int level = 1;

	lx->toolong = 0;
	lx->p++;
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\n' || c == '#')
			break;
		if (c == '(')
			level++;
		if (c == ')' && --level == 0) {
			lx->p++;
			break;
		}
		if (n < MAP_NAME_MAX)
			lx->text[n++] = c;
		else
			lx->toolong = 1;
		lx->p++;
	}
	if (level != 0)
		lx->toolong = 1;
	lx->text[n] = '\0';
}

/* lex_next - advance to the next token */
static int
lex_next(struct lex *lx)
{
	int c;

	lex_blank(lx);
	if (lx->p >= lx->end)
		return lx->tok = T_EOF;
	c = (unsigned short)*lx->p;
	if (c == '\n') {
		lx->line++;
		lx->p++;
		return lx->tok = T_NL;
	}
	if (c == '"' || name_char(c)) {
		lex_name(lx);
		return lx->tok = T_NAME;
	}
	if (c == '(') {
		lex_cost(lx);
		return lx->tok = T_COST;
	}
	lx->p++;
	lx->ch = c;
	if (c == '{')
		lx->depth++;
	else if (c == '}' && lx->depth > 0)
		lx->depth--;
	return lx->tok = strchr("!@%:", c) ? T_NET : T_CHAR;
}

/* lex_skip - drop the rest of a bad statement */
static void
lex_skip(struct lex *lx)
{
	lx->depth = 0;
	while (lx->tok != T_NL && lx->tok != T_EOF)
		lex_next(lx);
}

/* hash_name - string hash */
static size_t
hash_name(const char *s, size_t size)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned short)*s++) * 1099511628211ULL;
	return (size_t)(h % size);
}

/* grow - make room for one more element of an array */
static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* map_rehash - double the hash table */
static int
map_rehash(struct map *m)
{
	size_t size = m->hashsize ? m->hashsize * 2 : 4096, i;
	uint32_t *h = malloc(size * sizeof(*h));

	if (!h)
		return -1;
	for (i = 0; i < size; i++)
		h[i] = MAP_NONE;
	/* re-insert in creation order so private nodes still shadow */
	for (i = 0; i < m->nnode; i++) {
		struct map_node *n = &m->node[i];
		size_t b;

		if (n->hnext == MAP_NONE - 1)
			continue;	/* unhashed private node */
		b = hash_name(m->names + n->name, size);
		n->hnext = h[b];
		h[b] = (uint32_t)i;
	}
	free(m->hash);
	m->hash = h;
	m->hashsize = size;
	return 0;
}

/* map_new - an empty map, NULL if out of memory */
struct map *
map_new(void)
{
	struct map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (map_rehash(m) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

/* map_free - release a map */
void
map_free(struct map *m)
{
	if (!m)
		return;
	free(m->node);
	free(m->link);
	free(m->names);
	free(m->hash);
	free(m->priv);
	free(m);
}

/* map_name - a node's name */
const char *
map_name(const struct map *m, uint32_t n)
{
	return m->names + m->node[n].name;
}

/* map_find - the visible node named name (private first), or MAP_NONE */
static uint32_t
map_find(const struct map *m, const char *name)
{
	uint32_t i = m->hash[hash_name(name, m->hashsize)];

	for (; i != MAP_NONE; i = m->node[i].hnext)
		if (strcmp(m->names + m->node[i].name, name) == 0)
			return i;
	return MAP_NONE;
}

/* map_lookup - the public node named name, MAP_NONE if none */
uint32_t
map_lookup(const struct map *m, const char *name)
{
	return map_find(m, name);
}

/* map_add_node - a new node, hashed in front of any of the same name */
static uint32_t
map_add_node(struct map *m, const char *name, uint32_t flags)
{
	size_t len = strlen(name) + 1, b;
	struct map_node *n;

	if (m->nnode >= MAP_NONE - 2 || m->nameslen + len >= UINT32_MAX)
		return MAP_NONE;
	if (grow((void **)&m->node, &m->nodecap, m->nnode, sizeof(*m->node)) != 0)
		return MAP_NONE;
	while (m->nameslen + len > m->namescap) {
		size_t ncap = m->namescap ? m->namescap * 2 : 65536;
		char *p = realloc(m->names, ncap);

		if (!p)
			return MAP_NONE;
		m->names = p;
		m->namescap = ncap;
	}
	if (m->nnode * 2 >= m->hashsize && map_rehash(m) != 0)
		return MAP_NONE;
	n = &m->node[m->nnode];
	memset(n, 0, sizeof(*n));
	n->name = (uint32_t)m->nameslen;
	memcpy(m->names + m->nameslen, name, len);
	m->nameslen += len;
	n->link = MAP_NONE;
	n->flags = flags | (name[0] == '.' ? MAP_NDOMAIN : 0);
	b = hash_name(name, m->hashsize);
	n->hnext = m->hash[b];
	m->hash[b] = (uint32_t)m->nnode;
	return (uint32_t)m->nnode++;
}

/* map_intern - the visible node named name, created if new */
uint32_t
map_intern(struct map *m, const char *name)
{
	uint32_t i = map_find(m, name);

	return i != MAP_NONE ? i : map_add_node(m, name, 0);
}

/* map_find_link - the link (alias or not) from -> to, or MAP_NONE */
static uint32_t
map_find_link(const struct map *m, uint32_t from, uint32_t to, int alias, int term)
{
	uint32_t l;

	for (l = m->node[from].link; l != MAP_NONE; l = m->link[l].next)
		if (m->link[l].to == to && (alias < 0 || (m->link[l].flags & MAP_LALIAS) == alias) &&
		    (term < 0 || (m->link[l].flags & MAP_LTERMINAL) == term))
			return l;
	return MAP_NONE;
}

/* map_find_same - the link from -> to of the same kind, or MAP_NONE */
static uint32_t
map_find_same(const struct map *m, uint32_t from, uint32_t to, int flags, char netchar)
{
	uint32_t l;

	for (l = m->node[from].link; l != MAP_NONE; l = m->link[l].next)
		if (m->link[l].to == to && m->link[l].netchar == netchar &&
		    !(m->link[l].flags & MAP_LPLACEHOLD) &&
		    (m->link[l].flags & MAP_LKIND) == (flags & MAP_LKIND))
			return l;
	return MAP_NONE;
}

/* map_find_placeholder - the placeholder from -> to of dead/delete, or MAP_NONE */
static uint32_t
map_find_placeholder(const struct map *m, uint32_t from, uint32_t to)
{
	uint32_t l;

	for (l = m->node[from].link; l != MAP_NONE; l = m->link[l].next)
		if (m->link[l].to == to && (m->link[l].flags & MAP_LPLACEHOLD))
			return l;
	return MAP_NONE;
}

/* map_add_link - add from -> to, keeping the cheaper of duplicates */
static int
map_add_link(struct map *m, uint32_t from, uint32_t to, long cost, char netchar, int flags)
{
	uint32_t l;
	struct map_link *lp;

	if (!(flags & MAP_LPLACEHOLD))
		m->ndeclared++;
	if (from == to) {
		m->nself += !(flags & MAP_LPLACEHOLD);
		return 0;
	}
	/* links of different kinds (alias, terminal, gateway, member,
	 * syntax) between the same hosts are kept apart */
	l = map_find_same(m, from, to, flags, netchar);
	if (l == MAP_NONE)
		l = map_find_placeholder(m, from, to);
	if (l != MAP_NONE) {
		lp = &m->link[l];
		if (lp->flags & MAP_LPLACEHOLD) {
			lp->cost = cost;
			lp->netchar = netchar;
			lp->flags = (unsigned short)((lp->flags &
			    (MAP_LDEAD | MAP_LGATEWAY | MAP_LDELETED)) | flags);
		} else if (m->nmerged++, cost < lp->cost) {
			lp->cost = cost;
			lp->netchar = netchar;
			lp->flags = (unsigned short)((lp->flags &
			    (MAP_LDEAD | MAP_LGATEWAY | MAP_LDELETED)) | flags);
		} else {
			lp->flags |= (unsigned short)(flags & MAP_LGATEWAY);
		}
		return 0;
	}
	if (m->nlink >= MAP_NONE - 1 ||
	    grow((void **)&m->link, &m->linkcap, m->nlink, sizeof(*m->link)) != 0)
		return -1;
	lp = &m->link[m->nlink];
	lp->to = to;
	lp->cost = cost;
	lp->netchar = netchar;
	lp->flags = (unsigned short)flags;
	/* append, so links keep the order they were declared in */
	lp->next = MAP_NONE;
	if (m->node[from].link == MAP_NONE) {
		m->node[from].link = (uint32_t)m->nlink;
	} else {
		for (l = m->node[from].link; m->link[l].next != MAP_NONE; l = m->link[l].next)
			;
		m->link[l].next = (uint32_t)m->nlink;
	}
	m->nlink++;
	return 0;
}

struct ceval {
	const char *p;
	const char *err;
};

static long cost_expr(struct ceval *ce);

/* cost_symbol - value of a symbolic cost, -1 with err if unknown */
static int
cost_symbol(const char *s, size_t n, long *v)
{
	static const struct { const char *name; long v; } sym[] = {
		{ "LOCAL", MAP_LOCAL }, { "DEDICATED", MAP_DEDICATED },
		{ "DIRECT", MAP_DIRECT }, { "DEMAND", MAP_DEMAND },
		{ "HOURLY", MAP_HOURLY }, { "EVENING", MAP_EVENING },
		{ "DAILY", MAP_DAILY }, { "POLLED", MAP_POLLED },
		{ "WEEKLY", MAP_WEEKLY }, { "DEAD", MAP_DEAD },
		{ "HIGH", -5 }, { "LOW", 5 }, { "FAST", -80 },
		{ "ARPA", 100 }, { "DIALED", 300 }, { "DEFAULT", MAP_DEFCOST },
	};
	size_t i;

	for (i = 0; i < sizeof(sym) / sizeof(sym[0]); i++)
		if (strlen(sym[i].name) == n && strncmp(sym[i].name, s, n) == 0) {
			*v = sym[i].v;
			return 0;
		}
	return -1;
}

/* cost_clamp - keep a value in a sane range */
static long
cost_clamp(long v)
{
	return v > MAP_COST_MAX ? MAP_COST_MAX : v < -MAP_COST_MAX ? -MAP_COST_MAX : v;
}

/* cost_factor - number, symbol, (expr) or signed factor */
static long
cost_factor(struct ceval *ce)
{
	long v = 0;

	while (*ce->p == ' ' || *ce->p == '\t')
		ce->p++;
	if (*ce->p == '-') {
		ce->p++;
		return -cost_factor(ce);
	}
	if (*ce->p == '+') {
		ce->p++;
		return cost_factor(ce);
	}
	if (*ce->p == '(') {
		ce->p++;
		v = cost_expr(ce);
		while (*ce->p == ' ' || *ce->p == '\t')
			ce->p++;
		if (*ce->p != ')')
			ce->err = "unbalanced parenthesis in cost";
		else
			ce->p++;
		return v;
	}
	if (isdigit((unsigned short)*ce->p)) {
		while (isdigit((unsigned short)*ce->p))
			v = cost_clamp(v * 10 + (*ce->p++ - '0'));
		return v;
	}
	if (isalpha((unsigned short)*ce->p)) {
		const char *s = ce->p;

		while (isalnum((unsigned short)*ce->p) || *ce->p == '_')
			ce->p++;
		if (cost_symbol(s, (size_t)(ce->p - s), &v) != 0)
			ce->err = "unknown cost name";
		return v;
	}
	ce->err = "bad cost expression";
	return 0;
}

/* cost_term - factors joined by * and / */
static long
cost_term(struct ceval *ce)
{
	long v = cost_factor(ce), r;

	for (;;) {
		while (*ce->p == ' ' || *ce->p == '\t')
			ce->p++;
		if (*ce->p != '*' && *ce->p != '/')
			return v;
		if (*ce->p++ == '*') {
			r = cost_factor(ce);
			v = cost_clamp((long)((double)v * r > MAP_COST_MAX ? MAP_COST_MAX :
			    (double)v * r < -MAP_COST_MAX ? -MAP_COST_MAX : v * r));
		} else {
			r = cost_factor(ce);
			if (r == 0) {
				ce->err = "division by zero in cost";
				return v;
			}
			v /= r;
		}
	}
}

/* cost_expr - terms joined by + and - */
static long
cost_expr(struct ceval *ce)
{
	long v = cost_term(ce);

	for (;;) {
		while (*ce->p == ' ' || *ce->p == '\t')
			ce->p++;
		if (*ce->p == '+') {
			ce->p++;
			v = cost_clamp(v + cost_term(ce));
		} else if (*ce->p == '-') {
			ce->p++;
			v = cost_clamp(v - cost_term(ce));
		} else {
			return v;
		}
	}
}

/* map_cost_eval - evaluate a cost expression; 0, or -1 with *err set */
int
map_cost_eval(const char *s, long *cost, const char **err)
{
	struct ceval ce = { s, NULL };
	long v;

	v = cost_expr(&ce);
	while (*ce.p == ' ' || *ce.p == '\t' || *ce.p == '\r')
		ce.p++;
	if (!ce.err && *ce.p != '\0')
		ce.err = "junk after cost expression";
	if (ce.err) {
		if (err)
			*err = ce.err;
		return -1;
	}
	*cost = v;
	return 0;
}

/* parse_cost - the current T_COST token's value, warning if bad */
static long
parse_cost(struct lex *lx, long dflt)
{
	const char *err = NULL;
	long v;

	if (lx->toolong) {
		map_warn(lx, "cost expression too long or unbalanced");
		return dflt;
	}
	if (map_cost_eval(lx->text, &v, &err) != 0) {
		char msg[MAP_NAME_MAX + 64];

		str_fmt(msg, sizeof(msg), "%s: (%s)", err, lx->text);
		map_warn(lx, msg);
		return dflt;
	}
	return v;
}

/* name_ok - a name token usable as a node, warning otherwise */
static int
name_ok(struct lex *lx)
{
	if (lx->toolong) {
		map_warn(lx, "name too long");
		return 0;
	}
	if (lx->text[0] == '\0') {
		map_warn(lx, "empty name");
		return 0;
	}
	return 1;
}

/* node_of - intern the current name token */
static uint32_t
node_of(struct lex *lx)
{
	uint32_t n = map_intern(lx->m, lx->text);

	if (n == MAP_NONE)
		map_warn(lx, "out of memory");
	return n;
}

/* intern_name - intern a saved name */
static uint32_t
intern_name(struct lex *lx, const char *name)
{
	uint32_t n = map_intern(lx->m, name);

	if (n == MAP_NONE)
		map_warn(lx, "out of memory");
	return n;
}

/* parse_links - "host link, link ..." after the host name */
static int
parse_links(struct lex *lx, uint32_t from)
{
	lx->m->node[from].flags |= MAP_NHASLINKS;
	for (;;) {
		int flags = 0, term = 0;
		char netchar = '!';
		long cost = MAP_DEFCOST;
		uint32_t to;

		if (lx->tok == T_NL || lx->tok == T_EOF)
			return 0;	/* also after a trailing comma */
		if (lx->tok == T_NET) {
			netchar = (char)lx->ch;
			flags |= MAP_LRIGHT;
			lex_next(lx);
		}
		if (lx->tok == T_CHAR && lx->ch == '<') {
			term = 1;
			lex_next(lx);
		}
		if (lx->tok != T_NAME || !name_ok(lx))
			return -1;
		to = node_of(lx);
		if (to == MAP_NONE)
			return -1;
		lex_next(lx);
		if (term) {
			if (lx->tok != T_CHAR || lx->ch != '>')
				return -1;
			flags |= MAP_LTERMINAL;
			lex_next(lx);
		}
		if (lx->tok == T_NET) {
			if (flags & MAP_LRIGHT)
				return -1;	/* a net char on both sides */
			netchar = (char)lx->ch;
			lex_next(lx);
		}
		if (lx->tok == T_COST) {
			cost = parse_cost(lx, MAP_DEFCOST);
			lex_next(lx);
		}
		if (lx->m->node[to].flags & (MAP_NNET | MAP_NDOMAIN))
			flags |= MAP_LGATEWAY;
		if (lx->m->node[to].flags & MAP_NDOMAIN)
			lx->m->node[to].flags |= MAP_NGATED;
		if (map_add_link(lx->m, from, to, cost, netchar, flags) != 0)
			return -1;
		if (lx->tok == T_CHAR && lx->ch == ',') {
			lex_next(lx);
			continue;
		}
		return lx->tok == T_NL || lx->tok == T_EOF ? 0 : -1;
	}
}

/* list_push - append to a node list (and its costs, if kept) */
static int
list_push(uint32_t **v, long **c, size_t *cap, size_t *n, uint32_t node, long cost)
{
	if (*n >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		uint32_t *nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -1;
		*v = nv;
		if (c) {
			long *nc = realloc(*c, ncap * sizeof(**c));

			if (!nc)
				return -1;
			*c = nc;
		}
		*cap = ncap;
	}
	(*v)[*n] = node;
	if (c)
		(*c)[*n] = cost;
	(*n)++;
	return 0;
}

/*
 * parse_list - "{ name, ... }" into a node list.  With costs, entries are
 * name(cost) (adjust); otherwise an entry may be a link a!b, kept as a
 * then b with MAP_LISTLINK set (dead, delete).
 */
#define MAP_LISTLINK	0x80000000u
static int
parse_list(struct lex *lx, uint32_t **out, long **costs, size_t *np)
{
	size_t n = 0, cap = 0;
	uint32_t *v = NULL, a, b;
	long *c = NULL, cost;
	char name[MAP_NAME_MAX + 1];

	if (lx->tok != T_CHAR || lx->ch != '{')
		return -1;
	lex_next(lx);
	while (!(lx->tok == T_CHAR && lx->ch == '}')) {
		if (lx->tok == T_CHAR && lx->ch == ',') {
			lex_next(lx);
			continue;
		}
		if (lx->tok != T_NAME || !name_ok(lx))
			goto fail;
		str_copy(name, lx->text, sizeof(name));
		lex_next(lx);
		cost = 0;
		if (costs && lx->tok == T_COST) {
			cost = parse_cost(lx, 0);
			lex_next(lx);
		}
		if ((a = intern_name(lx, name)) == MAP_NONE ||
		    list_push(&v, costs ? &c : NULL, &cap, &n, a, cost) != 0)
			goto fail;
		if (!costs && lx->tok == T_NET && lx->ch == '!') {
			lex_next(lx);
			if (lx->tok != T_NAME || !name_ok(lx) || (b = node_of(lx)) == MAP_NONE ||
			    list_push(&v, NULL, &cap, &n, b | MAP_LISTLINK, 0) != 0)
				goto fail;
			lex_next(lx);
		}
	}
	lex_next(lx);
	*out = v;
	if (costs)
		*costs = c;
	*np = n;
	return 0;
fail:
	free(v);
	free(c);
	return -1;
}

/* parse_net - "[net] = [c]{a, b}[c](cost)" after the '=' */
static int
parse_net(struct lex *lx, uint32_t net)
{
	uint32_t *mem = NULL;
	size_t n = 0, i;
	char netchar = '!';
	int flags = 0, rc = -1;
	long cost = MAP_DEFCOST;

	if (lx->tok == T_NET) {
		netchar = (char)lx->ch;
		flags |= MAP_LRIGHT;
		lex_next(lx);
	}
	if (parse_list(lx, &mem, NULL, &n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (mem[i] & MAP_LISTLINK)
			goto done;
	if (lx->tok == T_NET) {
		if (flags & MAP_LRIGHT)
			goto done;
		netchar = (char)lx->ch;
		lex_next(lx);
	}
	if (lx->tok == T_COST) {
		cost = parse_cost(lx, MAP_DEFCOST);
		lex_next(lx);
	}
	if (lx->tok != T_NL && lx->tok != T_EOF)
		goto done;
	lx->m->node[net].flags |= MAP_NNET;
	for (i = 0; i < n; i++) {
		if (map_add_link(lx->m, mem[i], net, cost, netchar,
		    flags | MAP_LMEMBER) != 0 ||
		    map_add_link(lx->m, net, mem[i], 0, netchar, flags) != 0)
			goto done;
	}
	rc = 0;
done:
	free(mem);
	return rc;
}

/* parse_alias - "host = alias, alias" after the '=' */
static int
parse_alias(struct lex *lx, uint32_t host)
{
	for (;;) {
		uint32_t a;

		if (lx->tok != T_NAME || !name_ok(lx))
			return -1;
		a = node_of(lx);
		if (a == MAP_NONE)
			return -1;
		if (map_add_link(lx->m, host, a, 0, '!', MAP_LALIAS) != 0 ||
		    map_add_link(lx->m, a, host, 0, '!', MAP_LALIAS) != 0)
			return -1;
		lex_next(lx);
		if (lx->tok == T_NL || lx->tok == T_EOF)
			return 0;
		if (lx->tok != T_CHAR || lx->ch != ',')
			return -1;
		lex_next(lx);
		if (lx->tok == T_NL || lx->tok == T_EOF)
			return 0;
	}
}

/* do_private - make names private to the current file */
static int
do_private(struct lex *lx)
{
	struct map *m = lx->m;
	char name[MAP_NAME_MAX + 1];

	if (lx->tok != T_CHAR || lx->ch != '{')
		return -1;
	lex_next(lx);
	while (!(lx->tok == T_CHAR && lx->ch == '}')) {
		uint32_t n;
		size_t i;
		int have = 0;

		if (lx->tok == T_CHAR && lx->ch == ',') {
			lex_next(lx);
			continue;
		}
		if (lx->tok != T_NAME || !name_ok(lx))
			return -1;
		str_copy(name, lx->text, sizeof(name));
		for (i = 0; i < m->npriv; i++)
			if (strcmp(map_name(m, m->priv[i]), name) == 0)
				have = 1;
		if (!have) {
			n = map_add_node(m, name, MAP_NPRIVATE);
			if (n == MAP_NONE ||
			    grow((void **)&m->priv, &m->privcap, m->npriv, sizeof(*m->priv)) != 0)
				return -1;
			m->priv[m->npriv++] = n;
		}
		lex_next(lx);
	}
	lex_next(lx);
	return lx->tok == T_NL || lx->tok == T_EOF ? 0 : -1;
}

/* do_listcmd - dead {}, delete {}, adjust {}, file {} */
static int
do_listcmd(struct lex *lx, const char *cmd)
{
	struct map *m = lx->m;
	uint32_t *v = NULL;
	long *c = NULL;
	size_t n = 0, i;
	int adjust = strcmp(cmd, "adjust") == 0, rc = -1;

	if (strcmp(cmd, "file") == 0) {
		while (lx->tok != T_NL && lx->tok != T_EOF && !(lx->tok == T_CHAR && lx->ch == '}'))
			lex_next(lx);
		if (lx->tok == T_CHAR)
			lex_next(lx);
		return lx->tok == T_NL || lx->tok == T_EOF ? 0 : -1;
	}
	if (parse_list(lx, &v, adjust ? &c : NULL, &n) != 0)
		return -1;
	if (lx->tok != T_NL && lx->tok != T_EOF)
		goto done;
	for (i = 0; i < n; i++) {
		int islink = i + 1 < n && (v[i + 1] & MAP_LISTLINK);

		if (islink) {
			uint32_t to = v[i + 1] & ~MAP_LISTLINK, l;

			/* the link may be declared later: hold its flag on an
			 * undeclared placeholder that a declaration replaces */
			if (map_find_link(m, v[i], to, -1, -1) == MAP_NONE &&
			    map_add_link(m, v[i], to, MAP_UNDECLARED, '!', MAP_LPLACEHOLD) != 0)
				goto done;
			for (l = m->node[v[i]].link; l != MAP_NONE; l = m->link[l].next)
				if (m->link[l].to == to)
					m->link[l].flags |= strcmp(cmd, "dead") == 0 ?
					    MAP_LDEAD : MAP_LDELETED;
			i++;
		} else if (adjust) {
			m->node[v[i]].adjust = cost_clamp(m->node[v[i]].adjust + c[i]);
		} else if (strcmp(cmd, "dead") == 0) {
			m->node[v[i]].flags |= MAP_NDEAD;
			if (m->node[v[i]].flags & MAP_NNET)
				m->node[v[i]].flags |= MAP_NGATEWAYED;
		} else {
			m->node[v[i]].flags |= MAP_NDELETED;
		}
	}
	rc = 0;
done:
	free(v);
	free(c);
	return rc;
}

/* parse_statement - one statement starting at the current token */
static int
parse_statement(struct lex *lx)
{
	char first[MAP_NAME_MAX + 1];
	uint32_t n;

	if (lx->tok == T_CHAR && lx->ch == '=') {
		char anon[32];

		lex_next(lx);
		str_fmt(anon, sizeof(anon), "*net%lu*", ++lx->m->anon);
		n = map_add_node(lx->m, anon, MAP_NPRIVATE);
		return n == MAP_NONE ? -1 : parse_net(lx, n);
	}
	if (lx->tok != T_NAME || !name_ok(lx))
		return -1;
	str_copy(first, lx->text, sizeof(first));
	lex_next(lx);
	if (lx->tok == T_CHAR && lx->ch == '{') {
		if (strcmp(first, "private") == 0)
			return do_private(lx);
		if (!strcmp(first, "dead") || !strcmp(first, "delete") ||
		    !strcmp(first, "adjust") || !strcmp(first, "file"))
			return do_listcmd(lx, first);
		return -1;
	}
	n = intern_name(lx, first);
	if (n == MAP_NONE)
		return -1;
	if (lx->tok == T_CHAR && lx->ch == '=') {
		lex_next(lx);
		if (lx->tok == T_NET || (lx->tok == T_CHAR && lx->ch == '{'))
			return parse_net(lx, n);
		return parse_alias(lx, n);
	}
	return parse_links(lx, n);
}

/* map_end_file - private names go out of scope */
static void
map_end_file(struct map *m)
{
	size_t i;

	for (i = m->npriv; i-- > 0;) {
		uint32_t n = m->priv[i], *pp;

		pp = &m->hash[hash_name(map_name(m, n), m->hashsize)];
		while (*pp != MAP_NONE && *pp != n)
			pp = &m->node[*pp].hnext;
		if (*pp == n)
			*pp = m->node[n].hnext;
		m->node[n].hnext = MAP_NONE - 1;
	}
	m->npriv = 0;
}

/* map_parse - add one map file's text; returns warnings given or -1 */
long
map_parse(struct map *m, const char *file, const char *buf, size_t len)
{
	struct lex lx;
	unsigned long before = m->warnings;

	memset(&lx, 0, sizeof(lx));
	lx.m = m;
	lx.file = file;
	lx.p = buf;
	lx.end = buf + len;
	lx.line = 1;
	lex_next(&lx);
	while (lx.tok != T_EOF) {
		if (lx.tok == T_NL) {
			lex_next(&lx);
			continue;
		}
		lx.stline = lx.line;
		if (parse_statement(&lx) != 0) {
			map_warn(&lx, "syntax error");
			lex_skip(&lx);
		}
		lx.stline = 0;
	}
	map_end_file(m);
	return (long)(m->warnings - before);
}

/* map_parse_file - read and parse a file; -1 if unreadable */
long
map_parse_file(struct map *m, const char *path)
{
	size_t len;
	char *buf = file_read(path, MAP_FILE_MAX, &len);
	long rc;

	if (!buf) {
		log_warn("%s", path);
		return -1;
	}
	rc = map_parse(m, path, buf, len);
	free(buf);
	return rc;
}
