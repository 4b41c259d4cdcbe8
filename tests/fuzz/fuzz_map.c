/*
 * fuzz_map.c - libFuzzer target for the map parser and the route
 * computation: any text parses without a crash, and routes from the
 * first host computed over it print within bounds.  make fuzz builds it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "route/map.h"
#include "route/paths.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map *m = map_new();
	struct paths p;
	char route[PATHS_ROUTE_MAX];
	size_t i;

	if (!m)
		return 0;
	m->quiet = 1;
	map_parse(m, "fuzz", (const char *)data, size);
	if (m->nnode > 0 && paths_compute(&p, m, map_name(m, 0)) == 0) {
		for (i = 0; i < m->nnode; i++)
			if (paths_printable(&p, (uint32_t)i))
				paths_route(&p, (uint32_t)i, route, sizeof(route));
		paths_free(&p);
	}
	map_free(m);
	return 0;
}
