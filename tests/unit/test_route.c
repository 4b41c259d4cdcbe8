/*
 * test_route.c - the map parser's constructs, the route rules and the
 * route index, on small maps written here.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "route/map.h"
#include "route/paths.h"
#include "route/rcheck.h"
#include "route/rindex.h"
#include "tests/unit/tap.h"

struct rt {
	const char *text;	/* map */
	const char *host;	/* name to route from "a" */
	long cost;		/* expected, -1: unreached or not printed */
	const char *route;	/* expected route, NULL: any */
};

static const struct rt cases[] = {
	{ "a b(DAILY)\n", "b", 5000, "b!%s" },
	{ "a b\n", "b", 4000, "b!%s" },
	{ "a b(DEDICATED), c(EVENING)\n", "c", 2000, "c!%s" },
	{ "a b(DAILY/2+HIGH*2)\n", "b", 2490, "b!%s" },
	{ "a b((HOURLY+LOW)*3-(10))\n", "b", 1505, "b!%s" },
	{ "a b(-LOCAL+100)\n", "b", 75, "b!%s" },
	{ "a b(DEAD)\n", "b", 1000000, "b!%s" },
	{ "a b(DIRECT),\n\tc(DEMAND)\n", "c", 300, "c!%s" },
	{ "a b(DIRECT), # comment\n\tc(DEMAND) # more\n", "c", 300, "c!%s" },
	{ "a @b(DIRECT)\n", "b", 200, "%s@b" },
	{ "a b@(DIRECT)\n", "b", 200, "b@%s" },
	{ "a %b(DIRECT)\n", "b", 200, "%s%b" },
	{ "a b:(DIRECT)\n", "b", 200, "b:%s" },
	{ "a b(HOURLY)\nb c(HOURLY)\n", "c", 1000, "b!c!%s" },
	{ "a b(LOCAL)\nb = bee, \"bee.x\"\n", "bee.x", 25, "b!%s" },
	{ "net = {a, b, c}(DIRECT)\n", "c", 200, "c!%s" },
	{ "net = @{a, b}(DIRECT)\n", "b", 200, "%s@b" },
	{ "= {a, b}(LOCAL)\n", "b", 25, "b!%s" },
	{ "a .dom(DIRECT)\n.dom = {x}(LOCAL)\n", ".dom", 200, "%s" },
	{ "a .dom(DIRECT)\n.dom = {x}(LOCAL)\n", "x", 200, "x.dom!%s" },
	{ "a b(DIRECT)\nb .dom\n.dom = {.sub}\n.sub = {h}\n", "h", 4200, "b!h.sub.dom!%s" },
	{ "a b(DIRECT)\nb .dom\n.dom = {.sub}\n", ".sub", -1, NULL },
	{ "a <b>(DIRECT)\nb c(DIRECT)\n", "c", 100000400, "b!c!%s" },
	{ "a <b>(DIRECT), d(DIRECT)\nd b(DIRECT)\nb c(DIRECT)\n", "c", 600, "d!b!c!%s" },
	{ "a <b>(DIRECT), d(DIRECT)\nd b(DIRECT)\nb c(DIRECT)\n", "b", 200, "b!%s" },
	/* a back link costs INF + 1 + its parent's cost, whatever was declared */
	{ "b a(DAILY)\n", "b", 100000000 + 1, "b!%s" },
	{ "a x(DIRECT)\nb x(DAILY)\n", "b", 100000000 + 200 + 201, "x!b!%s" },
	/* a back link leaves its far end's through state if it has one ... */
	{ "a <x>(LOCAL), y(DIRECT), z(DAILY)\nz x(DAILY)\nb <x>(DAILY), <y>(DAILY)\n", "b",
	    100000000 + 200 + 201, "y!b!%s" },
	/* ... else its terminal state, at no further INF */
	{ "a <x>(LOCAL)\nb <x>(DAILY)\n", "b", 100000000 + 25 + 26, "x!b!%s" },
	/* an alias and a link into a domain are two links: a relaying host
	 * uses the link, a host reached terminally the (free) alias */
	{ "a w(DIRECT)\nw .d(DAILY)\nw = .d\n", ".d", 5200, "w!%s" },
	{ "a <w>(DIRECT)\nw .d(DAILY)\nw = .d\n", ".d", 200, "w!%s" },
	/* an alias into a domain some host links to costs INF from a relay */
	{ "a w(DIRECT), g(DAILY)\ng .d(LOCAL)\nw = .d\n", ".d", 5025, "g!%s" },
	{ "a w(DIRECT)\nw = .d\n", ".d", 200, "w!%s" },
	/* a member link and a gateway link into a domain are two links */
	{ "a u(DIRECT)\nu .d(DAILY)\n.d = {u, s}(DIRECT)\ns c(LOCAL)\n", "c", 5225, "u!s.d!c!%s" },
	/* a host reached terminally does not follow its own terminal links */
	{ "a <w>(DEMAND)\nw g(DIRECT), <x>(EVENING)\ng w(DIRECT)\n", "x",
	    100000000 + 701 + 1 + 2000, "w!g!w!x!%s" },
	/* a network that is not a domain enters a member domain at INF */
	{ "a b(DIRECT)\nnet = {b, .d}(LOCAL)\n", ".d", 100000225, "b!%s" },
	/* a member (not a gateway) never enters its domain: the domain
	 * is reached by a back link of its own */
	{ "b a(DAILY)\n.d = {b}(LOCAL)\n", ".d", 3 * 100000000 + 3, "b!%s" },
	/* no back link leads out of a domain */
	{ "a g(DIRECT), h(DAILY)\ng .d(LOCAL)\nb .d(LOCAL), h(LOCAL)\n", "b", 100000000 + 10001, "h!b!%s" },
	/* every hop out of a host at INF or more costs 1 more */
	{ "b a(DAILY)\nb c(HOURLY)\n", "c", 100000000 + 1 + 1 + 500, "b!c!%s" },
	/* a terminal and a plain link to the same host are two links */
	{ "a <b>(LOCAL), b(HOURLY)\nb c(DIRECT)\n", "c", 700, "b!c!%s" },
	{ "a <b>(LOCAL), b(HOURLY)\nb c(DIRECT)\n", "b", 25, "b!%s" },
	{ "a b(DIRECT)\nb c(DIRECT)\ndead {b}\n", "c", 100000400, "b!c!%s" },
	{ "a b(DIRECT)\ndead {a!b}\n", "b", 100000200, "b!%s" },
	{ "dead {a!b}\na b(DIRECT)\n", "b", 100000200, "b!%s" },
	{ "a b(DIRECT), c(HOURLY)\nc b(DIRECT)\ndelete {a!b}\n", "b", 700, "c!b!%s" },
	{ "a b(DIRECT)\ndelete {b}\n", "b", -1, NULL },
	{ "a b(DIRECT)\nadjust {a(50)}\n", "b", 250, "b!%s" },
	{ "file {x}\na b(DIRECT)\n", "b", 200, "b!%s" },
	{ "private {b}\na b(DIRECT)\n", "b", -1, NULL },
	{ "a b(DIRECT), b(LOCAL)\n", "b", 25, "b!%s" },
};

/* route_of - parse text, route from a, look up host */
static int
route_of(const char *text, const char *host, long *cost, char *route, size_t len, long *warn)
{
	struct map *m = map_new();
	struct paths p;
	uint32_t n;
	int rc = -1;

	m->quiet = 1;
	*warn = map_parse(m, "t", text, strlen(text));
	if (paths_compute(&p, m, "a") != 0)
		goto done;
	n = map_lookup(m, host);
	*cost = -1;
	route[0] = '\0';
	if (n != MAP_NONE && paths_printable(&p, n)) {
		*cost = paths_cost(&p, n);
		paths_route(&p, n, route, len);
	}
	rc = 0;
	paths_free(&p);
done:
	map_free(m);
	return rc;
}

/* test_cases - the table above */
static void
test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char route[PATHS_ROUTE_MAX];
		long cost = -2, warn = -1;
		int rc = route_of(cases[i].text, cases[i].host, &cost, route, sizeof(route), &warn);

		ok(rc == 0 && warn == 0 && cost == cases[i].cost &&
		    (!cases[i].route || strcmp(route, cases[i].route) == 0),
		    "case %zu: %s -> %ld %s", i, cases[i].host, cost, route);
	}
}

/* test_warnings - bad statements warn and parsing goes on */
static void
test_warnings(void)
{
	static const char *bad[] = {
		"a b(NOSUCH)\n", "a b(1/0)\n", "a b(DIRECT\n", "a {b}\n", "a = {b\n",
		"a @b@(1)\n", "a <b(1)\n", "dead {a!}\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct map *m = map_new();
		char text[128];
		long w;

		m->quiet = 1;
		snprintf(text, sizeof(text), "%sa c(DIRECT)\n", bad[i]);
		w = map_parse(m, "t", text, strlen(text));
		ok(w >= 1 && map_lookup(m, "c") != MAP_NONE, "bad line %zu warns (%ld), next parses",
		    i, w);
		map_free(m);
	}
}

/* test_index - write, read and route through an index */
static void
test_index(void)
{
	static const char text[] =
	    "a b(DIRECT)\nb c(DIRECT)\nb .dom.org(LOCAL)\nc = c.uucp\n";
	char path[] = "/tmp/test_route.XXXXXX", out[256];
	struct map *m = map_new();
	struct rindex ri;
	struct paths p;
	int fd = mkstemp(path);
	const char *r;
	long cost;

	close(fd);
	map_parse(m, "t", text, sizeof(text) - 1);
	ok(paths_compute(&p, m, "a") == 0, "routes computed");
	ok(rindex_write(path, &p) == 0 && rindex_open(&ri, path) == 0, "index written and read");
	ok(rindex_find(&ri, "c", &r, &cost) == 0 && strcmp(r, "b!c!%s") == 0 && cost == 400,
	    "exact lookup");
	ok(rindex_route(&ri, "joe@c.uucp", out, sizeof(out)) == 0 && !strcmp(out, "b!c!joe"),
	    "user@host.uucp: %s", out);
	ok(rindex_route(&ri, "c!joe", out, sizeof(out)) == 0 && !strcmp(out, "b!c!joe"),
	    "host!user: %s", out);
	ok(rindex_route(&ri, "c!x!y!joe", out, sizeof(out)) == 0 &&
	    !strcmp(out, "b!c!x!y!joe"), "bang path through a far first hop: %s", out);
	ok(rindex_route(&ri, "joe@www.dom.org", out, sizeof(out)) == 0 &&
	    !strcmp(out, "b!www.dom.org!joe"), "domain suffix: %s", out);
	ok(rindex_route(&ri, "joe@nowhere", out, sizeof(out)) != 0, "unknown host fails");
	rindex_close(&ri);
	fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd >= 0 && write(fd, "BRIX0001\xff\xff\xff\xff", 12) == 12, "index corrupted");
	close(fd);
	ok(rindex_open(&ri, path) != 0, "corrupt index refused");
	unlink(path);
	paths_free(&p);
	map_free(m);
}

/* test_check - the hop check: links, nets, domains, back links, bad hops */
static void
test_check(void)
{
	static const char text[] =
	    "a b(DIRECT), <t>(DIRECT)\nb = bee\nnet = {b, c}(LOCAL)\n"
	    "c .dom(LOCAL)\n.dom = {h}\nx b(DAILY)\nbee k(DIRECT)\n";
	static const struct {
		const char *route;
		int ok;
		const char *what;
	} r[] = {
		{ "b!%s", 1, "a declared link" },
		{ "t!%s", 1, "a terminal link" },
		{ "b!k!%s", 1, "a link of an alias" },
		{ "b!c!%s", 1, "a network" },
		{ "b!c!h.dom!%s", 1, "a gateway and its domain" },
		{ "b!x!%s", 1, "a back link" },
		{ "c!%s", 0, "no link" },
		{ "b!h!x!%s", 0, "no link deeper in" },
		{ "nosuch!%s", 0, "no such host" },
		{ "b", 0, "no %s" },
	};
	struct rcheck_stats st;
	struct map *m = map_new();
	struct rcheck *rc;
	size_t i;

	m->quiet = 1;
	map_parse(m, "t", text, sizeof(text) - 1);
	ok((rc = rcheck_new(m, "a")) != NULL, "checker built");
	for (i = 0; rc && i < sizeof(r) / sizeof(r[0]); i++) {
		memset(&st, 0, sizeof(st));
		ok((rcheck_route(rc, r[i].route, &st) == 0) == r[i].ok,
		    "%s: %s %s", r[i].what, r[i].route, r[i].ok ? "declared" : "refused");
	}
	memset(&st, 0, sizeof(st));
	ok(rc && rcheck_route(rc, "b!x!%s", &st) == 0 && st.back == 1 && st.backroutes == 1 &&
	    st.direct == 1, "a back link is counted");
	ok(rc && rcheck_new(m, "nosuch") == NULL, "unknown home refused");
	rcheck_free(rc);
	map_free(m);
}

/* main - run the tests */
int
main(void)
{
	test_cases();
	test_warnings();
	test_index();
	test_check();
	return done_testing();
}
