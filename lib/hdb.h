/*
 * hdb.h - pure parsers for the HDB (BNU) files Systems, Devices, Dialers
 * and Permissions, and the Permissions decisions built on them.
 *
 * Each parser takes the file's bytes and name and returns structs with
 * the line number of every entry; a bad line gives "file:line: what is
 * wrong" in the error list and parsing goes on.  No function here does
 * I/O except hdb_load_* which read a file and call the parser.
 * Comments start with '#'; a line ending in '\' continues.
 */
#ifndef BRIGADE_HDB_H
#define BRIGADE_HDB_H

#include <limits.h>
#include <stddef.h>

struct hdb_errors {
	char **msg;		/* "file:line: what is wrong" */
	size_t n;
};

/* Systems: name time type[,protos] class phone [chat...] */
struct hdb_system {
	char name[64];
	char time[128];		/* "Any", "Never", "Wk0800-1700;5", "Any/C", ... */
	char type[64];		/* device type (Direct, ACU, TCP, Pipe, a device name) */
	char protocols[16];	/* after the comma in type, or "" */
	char class[64];		/* speed, or port/service for TCP, "-" */
	char phone[256];	/* number, host for TCP, "-" */
	char **chat;		/* expect send expect send ... */
	size_t nchat;
	int line;
};

/* Devices: type[,protos] line line2 class dialer [token dialer token...] */
struct hdb_device {
	char type[64];
	char protocols[16];
	char line[PATH_MAX];	/* "ttyS0", "/dev/pts/3" (absolute allowed), "-" */
	char line2[64];
	char class[64];		/* speed, "Any", or TCP port */
	char **dialer;		/* dialer names and tokens; for Pipe, the command */
	size_t ndialer;
	int line_no;
};

/* Dialers: name substitutions chat... */
struct hdb_dialer {
	char name[64];
	char subst[64];
	char **chat;
	size_t nchat;
	int line;
};

/* Permissions: one LOGNAME= or MACHINE= entry of option=value pairs. */
struct hdb_perm {
	char **logname;		/* LOGNAME=a:b (empty if a MACHINE entry) */
	size_t nlogname;
	char **machine;		/* MACHINE=a:b or OTHER */
	size_t nmachine;
	char **read, **write, **noread, **nowrite, **commands, **validate;
	size_t nread, nwrite, nnoread, nnowrite, ncommands, nvalidate;
	int request;		/* REQUEST=yes */
	int sendfiles;		/* SENDFILES=yes (1), call (0, the default) */
	int callback;		/* CALLBACK=yes */
	char myname[64];	/* MYNAME= */
	char pubdir[PATH_MAX];	/* PUBDIR= */
	int line;
};

struct hdb {
	struct hdb_system *sys;
	size_t nsys;
	struct hdb_device *dev;
	size_t ndev;
	struct hdb_dialer *dial;
	size_t ndial;
	struct hdb_perm *perm;
	size_t nperm;
};

/* Pure parsers: append entries to h, messages to errs; return the number
 * of errors added (0 when the text was clean). */
int hdb_parse_systems(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs);
int hdb_parse_devices(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs);
int hdb_parse_dialers(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs);
int hdb_parse_permissions(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs);

/* hdb_load - read and parse the four files named (a missing file is
 * empty, not an error).  Returns the number of errors. */
int hdb_load(struct hdb *h, const char *systems, const char *devices, const char *dialers,
    const char *permissions, struct hdb_errors *errs);

void hdb_free(struct hdb *h);
void hdb_errors_free(struct hdb_errors *errs);

/* Look-ups.  hdb_find_systems returns the index of the next Systems entry
 * for name at or after *from (several entries are alternatives), or -1. */
int hdb_find_system(const struct hdb *h, const char *name, size_t from);
int hdb_find_device(const struct hdb *h, const char *type, size_t from);
const struct hdb_dialer *hdb_find_dialer(const struct hdb *h, const char *name);

/* Permissions decisions (pure).  The effective permission for a call is
 * the LOGNAME entry of the login used when we were called, or the MACHINE
 * entry (or MACHINE=OTHER) when we called.  Defaults follow HDB:
 * READ=WRITE=pubdir, REQUEST=no, SENDFILES=call, COMMANDS=rmail. */
struct perm_view {
	const struct hdb_perm *entry;	/* NULL: defaults only */
	const char *pubdir;		/* the node's (or PUBDIR=) public directory */
};

/* perm_for_login - the entry for an incoming call by login. */
struct perm_view perm_for_login(const struct hdb *h, const char *login, const char *pubdir);
/* perm_for_machine - the entry for a call we placed, or for remote
 * machine's commands (MACHINE= then OTHER). */
struct perm_view perm_for_machine(const struct hdb *h, const char *machine, const char *pubdir);
/* perm_login_may_be - VALIDATE: whether machine may use login; a machine
 * named in some VALIDATE list must call with one of those logins. */
int perm_login_may_be(const struct hdb *h, const char *machine, const char *login);
/* perm_may_read/perm_may_write - path (clean, absolute) against READ/
 * NOREAD or WRITE/NOWRITE: the longest matching prefix decides. */
int perm_may_read(const struct perm_view *v, const char *path);
int perm_may_write(const struct perm_view *v, const char *path);
/* perm_may_request - whether the remote may fetch files from us (R). */
int perm_may_request(const struct perm_view *v);
/* perm_may_send_when_called - SENDFILES=yes: send our queue when called. */
int perm_may_send_when_called(const struct perm_view *v);
/* perm_command_ok - whether a command name may be executed (COMMANDS;
 * "ALL" allows any). */
int perm_command_ok(const struct perm_view *v, const char *command);

#endif
