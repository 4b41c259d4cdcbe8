/*
 * conf.h - a node's main configuration file: Taylor-style "keyword value"
 * lines.  A node is a directory: DIR/config, and beside it the HDB files
 * Systems, Devices, Dialers, Permissions (and passwd for logins).
 * Relative paths in the file are relative to DIR.
 *
 * conf_parse is a pure function (no I/O) so it can be tested and fuzzed;
 * errors read "file:line: what is wrong".  Keywords this version does not
 * know are kept in extra[] so later parts of Brigade (mail, gateway) can
 * read their own keywords without a second parser.
 */
#ifndef BRIGADE_CONF_H
#define BRIGADE_CONF_H

#include <limits.h>
#include <stddef.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

/* The install default: SYSCONFDIR/brigade/config. */
#define CONF_DEFAULT_PATH SYSCONFDIR "/brigade/config"

struct conf_kv {
	char *key;
	char *value;		/* the rest of the line, trimmed */
	int line;
};

struct conf {
	char path[PATH_MAX];		/* the config file */
	char dir[PATH_MAX];		/* its directory: base for relative paths */
	char nodename[64];		/* default: the host name's first label */
	char spool[PATH_MAX];		/* default: DIR/spool (or /var/spool/brigade) */
	char pubdir[PATH_MAX];		/* default: DIR/pub (or /var/spool/uucppublic) */
	char logfile[PATH_MAX];		/* default: DIR/Log */
	char lockdir[PATH_MAX];		/* default: SPOOL/.Lock */
	char systems[PATH_MAX];		/* "sysfile": default DIR/Systems */
	char devices[PATH_MAX];		/* "portfile"/"devices": default DIR/Devices */
	char dialers[PATH_MAX];		/* "dialfile"/"dialers": default DIR/Dialers */
	char permissions[PATH_MAX];	/* "permissions": default DIR/Permissions */
	char passwd[PATH_MAX];		/* "passwdfile": default DIR/passwd */
	int g_window;			/* protocol-parameter g window (default 7) */
	int g_packsize;			/* protocol-parameter g packet-size (default 64) */
	int g_timeout;			/* protocol-parameter g timeout seconds (10) */
	int g_retries;			/* protocol-parameter g retries (6) */
	int g_errors;			/* protocol-parameter g errors (100) */
	int max_received_age;		/* days SN8 records are kept (7) */
	int debug;			/* debug categories from "debug" */
	struct conf_kv *extra;		/* keywords not handled above */
	size_t nextra;
};

/* conf_defaults - fill c with defaults for a node whose config file is at
 * path (dir derived from it). */
void conf_defaults(struct conf *c, const char *path);

/* conf_parse - parse config text (len bytes, fname for messages) into c,
 * which conf_defaults has prepared.  0, or -1 with "fname:line: why" in
 * err. */
int conf_parse(struct conf *c, const char *text, size_t len, const char *fname,
    char *err, size_t errlen);

/* conf_load - find the config (explicit path, else $BRIGADE_CONFIG, else
 * the install default), read and parse it.  0 or -1 with err. */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/* conf_get - the value of an extra keyword (last one wins), or NULL. */
const char *conf_get(const struct conf *c, const char *key);

void conf_free(struct conf *c);

#endif
