/*
 * uuroute.c - routes from UUCP maps, pathalias style.
 *
 *   uuroute [-c] [-l host] maps...          print host<TAB>route for all
 *   uuroute [-l host] maps... -a ADDRESS    the bang path for one address
 *   uuroute [-l host] -o FILE maps...       write the route index
 *   uuroute [-l host] --dot [HOST] maps...  Graphviz: route tree, or HOST's
 *                                           neighbourhood
 *   uuroute -i FILE ADDRESS                 route an address by an index
 *   uuroute [-l host] -k TABLE maps...      check every hop of a route table
 *
 * Map files are untrusted (the parser bounds them); output goes to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "route/map.h"
#include "route/paths.h"
#include "route/rcheck.h"
#include "route/rindex.h"

/* usage - print the synopsis and exit */
static void
usage(int rc)
{
	fprintf(rc ? stderr : stdout,
	    "usage: uuroute [-c] [-l host] [-o index] [-a address] [-k table] [--dot[=host]] map...\n"
	    "       uuroute -i index address...\n"
	    "  -c          print the cost before each host\n"
	    "  -l host     the local host (default: this system's name)\n"
	    "  -a address  print the route for one address (user@host.uucp,\n"
	    "              host!user, user@some.domain, a!b!user)\n"
	    "  -o index    write the compiled route index to a file\n"
	    "  -i index    route addresses by a compiled index\n"
	    "  -k table    check that every hop of a route table is declared\n"
	    "  -v          print link and node counts on stderr\n"
	    "  --dot       Graphviz of the route tree; --dot=host: host's links\n");
	exit(rc);
}

/* dot_tree - the shortest-path tree as a Graphviz digraph */
static void
dot_tree(const struct paths *p)
{
	size_t n;

	printf("digraph routes {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (n = 0; n < p->n; n++) {
		uint32_t par = paths_parent(p, (uint32_t)n);

		if (par == MAP_NONE || (p->m->node[n].flags & MAP_NPRIVATE))
			continue;
		printf("\t\"%s\" -> \"%s\" [label=\"%ld\"];\n", map_name(p->m, par),
		    map_name(p->m, (uint32_t)n), paths_cost(p, (uint32_t)n));
	}
	printf("}\n");
}

/* dot_host - one host's declared links, both ways, as Graphviz */
static int
dot_host(const struct map *m, const char *host)
{
	uint32_t h = map_lookup(m, host), li;
	size_t n;

	if (h == MAP_NONE)
		return -1;
	printf("digraph \"%s\" {\n\tnode [shape=box];\n\t\"%s\" [style=bold];\n", host, host);
	for (li = m->node[h].link; li != MAP_NONE; li = m->link[li].next)
		printf("\t\"%s\" -> \"%s\" [label=\"%ld\"%s];\n", host,
		    map_name(m, m->link[li].to), m->link[li].cost,
		    m->link[li].flags & MAP_LALIAS ? ",style=dashed" : "");
	for (n = 0; n < m->nnode; n++)
		for (li = m->node[n].link; li != MAP_NONE; li = m->link[li].next)
			if (m->link[li].to == h && !(m->link[li].flags & MAP_LALIAS))
				printf("\t\"%s\" -> \"%s\" [label=\"%ld\"];\n",
				    map_name(m, (uint32_t)n), host, m->link[li].cost);
	printf("}\n");
	return 0;
}

/* by_index - route addresses with a compiled index */
static int
by_index(const char *file, char **addr, int n)
{
	struct rindex ri;
	char out[4096];
	int i, rc = 0;

	if (rindex_open(&ri, file) != 0) {
		log_warnx("%s: not a route index", file);
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (rindex_route(&ri, addr[i], out, sizeof(out)) == 0) {
			printf("%s\n", out);
		} else {
			log_warnx("%s: no route", addr[i]);
			rc = 1;
		}
	}
	rindex_close(&ri);
	return rc;
}

/* check_table - check a route table's hops against the maps; 0 if all declared */
static int
check_table(const struct map *m, const char *home, const char *table)
{
	struct rcheck_stats st;
	struct rcheck *rc;
	FILE *fp;
	int rc2;

	memset(&st, 0, sizeof(st));
	if (!(rc = rcheck_new(m, home)))
		fatalx("%s: local host not in the maps", home);
	if (!(fp = fopen(table, "r")))
		fatal("%s", table);
	rc2 = rcheck_table(rc, fp, stderr, &st);
	fclose(fp);
	rcheck_free(rc);
	if (rc2 != 0)
		fatal("%s", table);
	printf("routes %lu hops %lu direct %lu via %lu back %lu back-routes %lu "
	    "undeclared %lu skipped %lu\n", st.routes, st.hops, st.direct, st.via,
	    st.back, st.backroutes, st.bad, st.skipped);
	return st.bad > 0 ? 1 : 0;
}

/* main - parse options and maps, then print, look up or compile */
int
main(int argc, char **argv)
{
	const char *home = NULL, *out = NULL, *addr = NULL, *index = NULL, *dothost = NULL;
	const char *check = NULL;
	char hostname[256];
	int costs = 0, dot = 0, verbose = 0, i, c, rc = 0;
	struct map *m;
	struct paths p;

	log_init("uuroute", NULL);
	log_also_stderr(1);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dot") == 0 || strncmp(argv[i], "--dot=", 6) == 0) {
			dot = 1;
			dothost = argv[i][5] == '=' ? argv[i] + 6 : NULL;
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(0);
		}
	}
	while ((c = getopt(argc, argv, "cl:o:a:i:k:vh")) != -1) {
		switch (c) {
		case 'c': costs = 1; break;
		case 'l': home = optarg; break;
		case 'o': out = optarg; break;
		case 'a': addr = optarg; break;
		case 'i': index = optarg; break;
		case 'k': check = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (index)
		return by_index(index, argv + optind, argc - optind);
	if (optind >= argc)
		usage(2);
	if (!home) {
		if (gethostname(hostname, sizeof(hostname)) != 0)
			fatal("gethostname");
		hostname[sizeof(hostname) - 1] = '\0';
		home = hostname;
	}
	if (!(m = map_new()))
		fatalx("out of memory");
	for (i = optind; i < argc; i++)
		if (map_parse_file(m, argv[i]) < 0)
			rc = 2;
	if (verbose)
		fprintf(stderr, "links declared %lu (to itself %lu, duplicates %lu), "
		    "kept %zu; nodes %zu\n", m->ndeclared, m->nself, m->nmerged,
		    m->nlink, m->nnode);
	if (dot && dothost) {
		if (dot_host(m, dothost) != 0)
			fatalx("%s: no such host in the maps", dothost);
		map_free(m);
		return rc;
	}
	if (check) {
		rc = check_table(m, home, check) != 0 ? 1 : rc;
		map_free(m);
		return rc;
	}
	if (paths_compute(&p, m, home) != 0)
		fatalx("%s: local host not in the maps", home);
	if (out) {
		if (rindex_write(out, &p) != 0)
			fatal("%s", out);
	} else if (addr) {
		struct rindex ri;
		char tmp[] = "/tmp/uuroute.XXXXXX", route[4096];
		int fd = mkstemp(tmp);

		if (fd < 0)
			fatal("mkstemp");
		close(fd);
		if (rindex_write(tmp, &p) != 0 || rindex_open(&ri, tmp) != 0)
			fatal("%s", tmp);
		unlink(tmp);
		if (rindex_route(&ri, addr, route, sizeof(route)) == 0) {
			printf("%s\n", route);
		} else {
			log_warnx("%s: no route", addr);
			rc = 1;
		}
		rindex_close(&ri);
	} else if (dot) {
		dot_tree(&p);
	} else if (paths_print(&p, stdout, costs) != 0 || fflush(stdout) != 0) {
		rc = 2;
	}
	paths_free(&p);
	map_free(m);
	return rc;
}
