/*
 * uupoll.c - ask for a poll of systems: a call even when nothing is
 * queued for them, so they can send us their work.
 *
 *   uupoll [-I config] system...
 *
 * It leaves a poll marker in the spool (spool_poll_request); the daemon
 * (uucico --daemon) calls at once when the system's time field allows any
 * call, and uucico -r1 calls systems with a marker as it does systems
 * with work.  The marker is removed when a call completes.  Trust:
 * arguments come from a local user; names must be in Systems and pass
 * the spool's checks.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "spool/spool_ops.h"

/* uupoll_usage - print usage; exit status 64 */
static int
uupoll_usage(void)
{
	fprintf(stderr, "usage: uupoll [-I config] system...\n");
	return 64;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	struct hdb_errors errs;
	struct spool *sp;
	struct conf conf;
	struct hdb hdb;
	char err[512];
	int ch, i, rc = 0;

	while ((ch = getopt(argc, argv, "I:")) != -1) {
		if (ch != 'I')
			return uupoll_usage();
		config = optarg;
	}
	if (optind == argc)
		return uupoll_usage();
	if (conf_load(&conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uupoll: %s\n", err);
		return 1;
	}
	log_init("uupoll", conf.logfile);
	memset(&hdb, 0, sizeof(hdb));
	memset(&errs, 0, sizeof(errs));
	hdb_load(&hdb, conf.systems, conf.devices, conf.dialers, conf.permissions, &errs);
	hdb_errors_free(&errs);
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp) {
		fprintf(stderr, "uupoll: %s\n", err);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		if (hdb_find_system(&hdb, argv[i], 0) < 0) {
			fprintf(stderr, "uupoll: %s: not in Systems\n", argv[i]);
			rc = 1;
		} else if (spool_poll_request(sp, argv[i]) < 0) {
			fprintf(stderr, "uupoll: %s: cannot queue a poll\n", argv[i]);
			rc = 1;
		} else {
			log_info("sys=%s: poll requested", argv[i]);
		}
	}
	spool_close(sp);
	hdb_free(&hdb);
	conf_free(&conf);
	return rc;
}
