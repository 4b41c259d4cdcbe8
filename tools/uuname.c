/*
 * uuname.c - the systems this node knows (one name a line, each once, in
 * Systems order), or with -l the node's own name.
 *
 *   uuname [-I config] [-l]
 *
 * Trust: the configuration and Systems file are the operator's; names
 * are printed only when they pass name_is_safe.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/util.h"

int
main(int argc, char **argv)
{
	const char *config = NULL;
	struct hdb_errors errs;
	struct conf conf;
	struct hdb hdb;
	char err[512];
	size_t i, j;
	int ch, local = 0;

	while ((ch = getopt(argc, argv, "I:l")) != -1) {
		switch (ch) {
		case 'I': config = optarg; break;
		case 'l': local = 1; break;
		default:
			fprintf(stderr, "usage: uuname [-I config] [-l]\n");
			return 64;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: uuname [-I config] [-l]\n");
		return 64;
	}
	if (conf_load(&conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uuname: %s\n", err);
		return 1;
	}
	if (local) {
		printf("%s\n", conf.nodename);
		conf_free(&conf);
		return 0;
	}
	memset(&hdb, 0, sizeof(hdb));
	memset(&errs, 0, sizeof(errs));
	hdb_load(&hdb, conf.systems, NULL, NULL, NULL, &errs);
	hdb_errors_free(&errs);
	for (i = 0; i < hdb.nsys; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(hdb.sys[j].name, hdb.sys[i].name) == 0)
				break;
		if (j == i && name_is_safe(hdb.sys[i].name, sizeof(hdb.sys[i].name) - 1))
			printf("%s\n", hdb.sys[i].name);
	}
	hdb_free(&hdb);
	conf_free(&conf);
	return 0;
}
