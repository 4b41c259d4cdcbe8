/*
 * conf.c - a node's main configuration file: "keyword value" lines in
 * the style of Taylor UUCP's config.
 *
 * The file is trusted no more than any input: lines and values are
 * bounded, numbers are range-checked, the node name must be a safe name,
 * and relative paths are made absolute against the config file's
 * directory and canonicalized.  '#' at the start of a line or after a
 * blank starts a comment.  conf_parse does no I/O; conf_defaults asks for
 * the host name and the working directory; conf_load reads the file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"

#define CONF_LINE_MAX 4096
#define CONF_FILE_MAX (1024 * 1024)
#define CONF_EXTRA_MAX 1024

/* What conf_parse knows while it walks the text. */
struct conf_ctx {
	struct conf *c;
	const char *fname;
	int line;
	char *err;
	size_t errlen;
	int lockdir_set;
};

/* A path keyword and the slot it sets. */
struct conf_path_kw {
	const char *kw;
	size_t off;
};

static const struct conf_path_kw conf_paths[] = {
	{ "spool", offsetof(struct conf, spool) },
	{ "pubdir", offsetof(struct conf, pubdir) },
	{ "logfile", offsetof(struct conf, logfile) },
	{ "lockdir", offsetof(struct conf, lockdir) },
	{ "sysfile", offsetof(struct conf, systems) },
	{ "systems", offsetof(struct conf, systems) },
	{ "portfile", offsetof(struct conf, devices) },
	{ "devices", offsetof(struct conf, devices) },
	{ "dialfile", offsetof(struct conf, dialers) },
	{ "dialers", offsetof(struct conf, dialers) },
	{ "permissions", offsetof(struct conf, permissions) },
	{ "passwdfile", offsetof(struct conf, passwd) },
};

/* conf_fail - format "fname:line: why" into the error buffer */
static int
conf_fail(struct conf_ctx *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->err && x->errlen > 0)
		snprintf(x->err, x->errlen, "%s:%d: %s", x->fname, x->line, msg);
	return -1;
}

/* conf_under - dst = DIR/name, canonical */
static void
conf_under(char *dst, size_t n, const char *dir, const char *name)
{
	char tmp[PATH_MAX];

	if (path_join(tmp, sizeof(tmp), dir, name) < 0 || path_canon(dst, n, tmp) < 0)
		str_copy(dst, tmp, n);
}

/* conf_hostname - the first label of the host name, or "brigade" */
static void
conf_hostname(char *dst, size_t n)
{
	char host[256];
	char *dot;

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if ((dot = strchr(host, '.')))
		*dot = '\0';
	if (!name_is_safe(host, n - 1))
		str_copy(host, "brigade", sizeof(host));
	str_copy(dst, host, n);
}

/* conf_defaults - defaults for a node whose config file is path */
void
conf_defaults(struct conf *c, const char *path)
{
	char abs[PATH_MAX], cwd[PATH_MAX];
	char *slash;
	int install;

	memset(c, 0, sizeof(*c));
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) && path_join(abs, sizeof(abs), cwd, path) == 0)
		path = abs;
	if (path_canon(c->path, sizeof(c->path), path) < 0)
		str_copy(c->path, path, sizeof(c->path));
	str_copy(c->dir, c->path, sizeof(c->dir));
	slash = strrchr(c->dir, '/');
	if (slash && slash != c->dir)
		*slash = '\0';
	else
		str_copy(c->dir, "/", sizeof(c->dir));
	install = strcmp(c->path, CONF_DEFAULT_PATH) == 0;
	conf_hostname(c->nodename, sizeof(c->nodename));
	if (install) {
		str_copy(c->spool, LOCALSTATEDIR "/spool/brigade", sizeof(c->spool));
		str_copy(c->pubdir, LOCALSTATEDIR "/spool/uucppublic", sizeof(c->pubdir));
		str_copy(c->logfile, LOCALSTATEDIR "/log/brigade/Log", sizeof(c->logfile));
	} else {
		conf_under(c->spool, sizeof(c->spool), c->dir, "spool");
		conf_under(c->pubdir, sizeof(c->pubdir), c->dir, "pub");
		conf_under(c->logfile, sizeof(c->logfile), c->dir, "Log");
	}
	conf_under(c->lockdir, sizeof(c->lockdir), c->spool, ".Lock");
	conf_under(c->systems, sizeof(c->systems), c->dir, "Systems");
	conf_under(c->devices, sizeof(c->devices), c->dir, "Devices");
	conf_under(c->dialers, sizeof(c->dialers), c->dir, "Dialers");
	conf_under(c->permissions, sizeof(c->permissions), c->dir, "Permissions");
	conf_under(c->passwd, sizeof(c->passwd), c->dir, "passwd");
	c->g_window = 7;
	c->g_packsize = 64;
	c->g_timeout = 10;
	c->g_retries = 6;
	c->g_errors = 100;
	c->max_received_age = 7;
}

/* conf_int - a decimal number in [lo, hi] */
static int
conf_int(struct conf_ctx *x, const char *what, const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return conf_fail(x, "%s must be a number from %ld to %ld: %.40s", what, lo, hi, s);
	*out = (int)v;
	return 0;
}

/* conf_path - set a path slot, relative paths against the config dir */
static int
conf_path(struct conf_ctx *x, char *dst, const char *kw, const char *val)
{
	char tmp[PATH_MAX];

	if (val[0] == '/') {
		if (str_copy(tmp, val, sizeof(tmp)) < 0)
			return conf_fail(x, "%s: path too long", kw);
	} else if (path_join(tmp, sizeof(tmp), x->c->dir, val) < 0) {
		return conf_fail(x, "%s: path too long", kw);
	}
	if (path_canon(dst, PATH_MAX, tmp) < 0)
		return conf_fail(x, "%s: bad path: %.60s", kw, val);
	return 0;
}

/* conf_g - "protocol-parameter g NAME N" */
static int
conf_g(struct conf_ctx *x, const char *name, const char *num)
{
	struct conf *c = x->c;

	if (strcmp(name, "window") == 0)
		return conf_int(x, "g window", num, 1, 7, &c->g_window);
	if (strcmp(name, "packet-size") == 0) {
		if (conf_int(x, "g packet-size", num, 32, 4096, &c->g_packsize) < 0)
			return -1;
		if (c->g_packsize & (c->g_packsize - 1))
			return conf_fail(x, "g packet-size must be a power of two: %s", num);
		return 0;
	}
	if (strcmp(name, "timeout") == 0)
		return conf_int(x, "g timeout", num, 1, 3600, &c->g_timeout);
	if (strcmp(name, "retries") == 0)
		return conf_int(x, "g retries", num, 1, 100, &c->g_retries);
	if (strcmp(name, "errors") == 0)
		return conf_int(x, "g errors", num, 1, 100000, &c->g_errors);
	return conf_fail(x, "unknown g protocol parameter: %.40s", name);
}

/* conf_protocol_parameter - protocol-parameter: g is ours, others extra */
static int
conf_protocol_parameter(struct conf_ctx *x, const char *val, int *handled)
{
	char proto[8], name[64], num[32], rest[8];
	int n;

	*handled = 0;
	n = sscanf(val, "%7s %63s %31s %7s", proto, name, num, rest);
	if (n < 1)
		return conf_fail(x, "protocol-parameter needs a protocol");
	if (strcmp(proto, "g") != 0)
		return 0;
	*handled = 1;
	if (n != 3)
		return conf_fail(x, "usage: protocol-parameter g NAME NUMBER");
	return conf_g(x, name, num);
}

/* conf_debug_spec - "debug" categories into a bit mask (as uucico -x) */
static int
conf_debug_spec(struct conf_ctx *x, const char *val)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "handshake", LOG_D_HANDSHAKE }, { "proto", LOG_D_PROTO },
		{ "port", LOG_D_PORT }, { "config", LOG_D_CONFIG },
		{ "spool", LOG_D_SPOOL }, { "chat", LOG_D_CHAT },
		{ "xfer", LOG_D_XFER }, { "all", LOG_D_ALL },
	};
	const char *p = val, *q;
	size_t i, len;
	int n;

	if (val[0] >= '0' && val[0] <= '9') {
		if (conf_int(x, "debug", val, 0, 99, &n) < 0)
			return -1;
		x->c->debug |= n >= 9 ? LOG_D_ALL : (1 << n) - 1;
		return 0;
	}
	for (;;) {
		q = p + strcspn(p, ", \t");
		len = (size_t)(q - p);
		for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
			if (len == strlen(names[i].name) && strncmp(p, names[i].name, len) == 0)
				break;
		if (i == UTIL_ARRAY_LEN(names))
			return conf_fail(x, "unknown debug category: %.*s", (int)(len > 40 ? 40 : len), p);
		x->c->debug |= names[i].bit;
		p = q + strspn(q, ", \t");
		if (!*p)
			return 0;
	}
}

/* conf_extra - keep an unknown keyword for later readers */
static int
conf_extra(struct conf_ctx *x, const char *kw, const char *val)
{
	struct conf *c = x->c;
	struct conf_kv *kv;

	if (c->nextra >= CONF_EXTRA_MAX)
		return conf_fail(x, "too many keywords");
	if (!(kv = realloc(c->extra, (c->nextra + 1) * sizeof(*kv))))
		return conf_fail(x, "out of memory");
	c->extra = kv;
	kv += c->nextra;
	kv->key = strdup(kw);
	kv->value = strdup(val);
	kv->line = x->line;
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return conf_fail(x, "out of memory");
	}
	c->nextra++;
	return 0;
}

/* conf_keyword - apply one "keyword value" line */
static int
conf_keyword(struct conf_ctx *x, const char *kw, const char *val)
{
	struct conf *c = x->c;
	size_t i;
	int handled;

	for (i = 0; i < UTIL_ARRAY_LEN(conf_paths); i++) {
		if (strcmp(kw, conf_paths[i].kw) != 0)
			continue;
		if (!*val)
			return conf_fail(x, "%s needs a value", kw);
		if (strcmp(kw, "lockdir") == 0)
			x->lockdir_set = 1;
		return conf_path(x, (char *)c + conf_paths[i].off, kw, val);
	}
	if (strcmp(kw, "nodename") == 0) {
		if (!name_is_safe(val, sizeof(c->nodename) - 1))
			return conf_fail(x, "bad node name: %.40s", val);
		return str_copy(c->nodename, val, sizeof(c->nodename));
	}
	if (strcmp(kw, "max-received-age") == 0)
		return conf_int(x, kw, val, 0, 3650, &c->max_received_age);
	if (strcmp(kw, "debug") == 0) {
		if (!*val)
			return conf_fail(x, "debug needs a value");
		return conf_debug_spec(x, val);
	}
	if (strcmp(kw, "protocol-parameter") == 0) {
		if (conf_protocol_parameter(x, val, &handled) < 0)
			return -1;
		if (handled)
			return 0;
	}
	return conf_extra(x, kw, val);
}

/* conf_strip - cut a comment and trim blanks; returns the start */
static char *
conf_strip(char *s)
{
	char *p, *e;

	for (p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* conf_line - one physical line of the file */
static int
conf_line(struct conf_ctx *x, const char *s, size_t n)
{
	char buf[CONF_LINE_MAX], *p, *val;
	const char *q;

	if (n >= sizeof(buf))
		return conf_fail(x, "line too long");
	for (q = s; q < s + n; q++)
		if (((unsigned char)*q < ' ' && *q != '\t' && *q != '\r') || *q == 0x7f)
			return conf_fail(x, "control character in line");
	memcpy(buf, s, n);
	buf[n] = '\0';
	p = conf_strip(buf);
	if (!*p)
		return 0;
	val = p + strcspn(p, " \t");
	if (*val) {
		*val++ = '\0';
		val += strspn(val, " \t");
	}
	for (q = p; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' || *q == '.'))
			return conf_fail(x, "bad keyword: %.40s", p);
	return conf_keyword(x, p, val);
}

/* conf_parse - parse config text into c */
int
conf_parse(struct conf *c, const char *text, size_t len, const char *fname,
    char *err, size_t errlen)
{
	struct conf_ctx x = { c, fname, 0, err, errlen, 0 };
	char spool[PATH_MAX], deflock[PATH_MAX];
	const char *p = text, *end = text + len, *nl;

	str_copy(spool, c->spool, sizeof(spool));
	conf_under(deflock, sizeof(deflock), spool, ".Lock");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		x.line++;
		if (conf_line(&x, p, nl ? (size_t)(nl - p) : (size_t)(end - p)) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	if (!x.lockdir_set && strcmp(c->lockdir, deflock) == 0)
		conf_under(c->lockdir, sizeof(c->lockdir), c->spool, ".Lock");
	return 0;
}

/* conf_load - find, read and parse the config */
int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	char file[PATH_MAX];
	struct stat st;
	size_t len = 0;
	char *text;
	int r;

	if (!path || !*path)
		path = getenv("BRIGADE_CONFIG");
	if (!path || !*path)
		path = CONF_DEFAULT_PATH;
	if (str_copy(file, path, sizeof(file)) < 0 ||
	    (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    path_join(file, sizeof(file), path, "config") < 0)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	conf_defaults(c, file);
	if (!(text = file_read(file, CONF_FILE_MAX, &len))) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	r = conf_parse(c, text, len, file, err, errlen);
	free(text);
	return r;
}

/* conf_get - the last value of an extra keyword */
const char *
conf_get(const struct conf *c, const char *key)
{
	size_t i;

	for (i = c->nextra; i > 0; i--)
		if (strcmp(c->extra[i - 1].key, key) == 0)
			return c->extra[i - 1].value;
	return NULL;
}

/* conf_free - free the extra keywords */
void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nextra; i++) {
		free(c->extra[i].key);
		free(c->extra[i].value);
	}
	free(c->extra);
	c->extra = NULL;
	c->nextra = 0;
}
