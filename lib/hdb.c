/*
 * hdb.c - pure parsers for the HDB (BNU) files Systems, Devices, Dialers
 * and Permissions.
 *
 * The text is hostile: every line, token and field is bounded, names are
 * checked with name_is_safe, paths with path_is_clean, and a bad line is
 * reported as "file:line: what is wrong" and skipped while parsing goes
 * on.  Lines starting with '#' are comments, blank lines are ignored, and
 * a line ending in an odd number of '\' continues on the next non-blank,
 * non-comment line.  Tokens are separated by blanks; a double-quoted part
 * of a token may hold blanks and the quotes are removed ("" is the empty
 * string).  Backslash escapes (\r, \d, \T, \S, ...) are kept verbatim for
 * the chat and port code to interpret.  The Permissions decisions live in
 * perm.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hdb.h"
#include "lib/util.h"

#define HDB_LINE_MAX 8192	/* a logical line, continuations joined */
#define HDB_TOKENS_MAX 256	/* tokens on one logical line */
#define HDB_FILE_MAX (4 * 1024 * 1024)

/* One logical line: its text, first physical line number, and tokens. */
struct hdb_line {
	char text[HDB_LINE_MAX];
	int line;
	char *tok[HDB_TOKENS_MAX];
	size_t ntok;
	char store[HDB_LINE_MAX];	/* the tokens' bytes */
};

/* Where the reader is in the text. */
struct hdb_reader {
	const char *p, *end;
	int line;
	const char *fname;
	struct hdb_errors *errs;
	int nerr;
};

/* hdb_error - append "fname:line: msg" to the error list */
static void
hdb_error(struct hdb_reader *r, int line, const char *fmt, ...)
{
	char msg[512], full[768];
	char **m;
	va_list ap;

	r->nerr++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s:%d: %s", r->fname, line, msg);
	if (!r->errs)
		return;
	m = realloc(r->errs->msg, (r->errs->n + 1) * sizeof(*m));
	if (!m)
		return;
	r->errs->msg = m;
	m[r->errs->n] = strdup(full);
	if (m[r->errs->n])
		r->errs->n++;
}

/* hdb_physical - the next physical line: start, length (no newline or CR) */
static int
hdb_physical(struct hdb_reader *r, const char **s, size_t *n)
{
	const char *nl;

	if (r->p >= r->end)
		return 0;
	*s = r->p;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*n = nl ? (size_t)(nl - r->p) : (size_t)(r->end - r->p);
	r->p = nl ? nl + 1 : r->end;
	r->line++;
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

/* hdb_is_skip - whether a physical line is blank or a comment */
static int
hdb_is_skip(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

/* hdb_continues - whether a line ends in an odd number of backslashes
 * (trailing blanks ignored); *n is cut before that backslash */
static int
hdb_continues(const char *s, size_t *n)
{
	size_t len = *n, k = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (k < len && s[len - 1 - k] == '\\')
		k++;
	if (k % 2 == 0)
		return 0;
	*n = len - 1;
	return 1;
}

/* hdb_append - add a piece of physical line to the logical line */
static int
hdb_append(struct hdb_line *l, size_t *used, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
			return -2;
	if (*used + n + 2 > sizeof(l->text))
		return -1;
	memcpy(l->text + *used, s, n);
	*used += n;
	l->text[(*used)++] = ' ';
	l->text[*used] = '\0';
	return 0;
}

/* hdb_next - read the next logical line into l; 1, or 0 at the end.
 * A line that is too long or holds control bytes is reported and
 * skipped. */
static int
hdb_next(struct hdb_reader *r, struct hdb_line *l)
{
	const char *s;
	size_t n, used;
	int more, bad;

again:
	do {
		if (!hdb_physical(r, &s, &n))
			return 0;
	} while (hdb_is_skip(s, n));
	l->line = r->line;
	used = 0;
	bad = 0;
	l->text[0] = '\0';
	for (;;) {
		int rc;
		more = hdb_continues(s, &n);
		if (!bad && (rc = hdb_append(l, &used, s, n)) < 0)
			bad = rc;
		if (!more)
			break;
		do {
			if (!hdb_physical(r, &s, &n))
				goto done;
		} while (hdb_is_skip(s, n));
	}
done:
	if (bad) {
		hdb_error(r, l->line, bad == -1 ? "line too long" : "control character in line");
		goto again;
	}
	return 1;
}

/* hdb_tokenize - split l->text into tokens; -1 on a bad quote or too
 * many tokens (reported) */
static int
hdb_tokenize(struct hdb_reader *r, struct hdb_line *l)
{
	const char *p = l->text;
	char *o = l->store;
	int inq;

	l->ntok = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		if (l->ntok == HDB_TOKENS_MAX) {
			hdb_error(r, l->line, "too many fields");
			return -1;
		}
		l->tok[l->ntok++] = o;
		inq = 0;
		while (*p && (inq || (*p != ' ' && *p != '\t'))) {
			if (*p == '"') {
				inq = !inq;
				p++;
				continue;
			}
			if (*p == '\\' && p[1])
				*o++ = *p++;
			*o++ = *p++;
		}
		*o++ = '\0';
		if (inq) {
			hdb_error(r, l->line, "unterminated quoted string");
			return -1;
		}
	}
}

/* hdb_field - copy a token into a fixed field; -1 (reported) if too long */
static int
hdb_field(struct hdb_reader *r, int line, char *dst, size_t n, const char *src,
    const char *what)
{
	if (str_copy(dst, src, n) < 0) {
		hdb_error(r, line, "%s too long: %.40s", what, src);
		return -1;
	}
	return 0;
}

/* hdb_strv - duplicate n tokens into a new NULL-terminated vector */
static char **
hdb_strv(char *const *tok, size_t n)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!(v[i] = strdup(tok[i]))) {
			while (i > 0)
				free(v[--i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

/* hdb_strv_free - free a vector of n strings */
static void
hdb_strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* hdb_type_split - "type[,protos]" into its fields */
static int
hdb_type_split(struct hdb_reader *r, int line, const char *tok, char *type, size_t tn,
    char *protos, size_t pn)
{
	const char *comma = strchr(tok, ',');
	size_t len = comma ? (size_t)(comma - tok) : strlen(tok);
	const char *q;

	if (len == 0 || len >= tn) {
		hdb_error(r, line, "bad type field: %.40s", tok);
		return -1;
	}
	memcpy(type, tok, len);
	type[len] = '\0';
	if (!name_is_safe(type, tn - 1)) {
		hdb_error(r, line, "bad type field: %.40s", tok);
		return -1;
	}
	protos[0] = '\0';
	if (!comma)
		return 0;
	for (q = comma + 1; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
			break;
	if (*q || q == comma + 1 || str_copy(protos, comma + 1, pn) < 0) {
		hdb_error(r, line, "bad protocol list: %.40s", comma + 1);
		return -1;
	}
	return 0;
}

/* hdb_class_ok - a class: "Any", "-", a speed, a port or service name */
static int
hdb_class_ok(const char *s)
{
	const char *p;

	if (!*s)
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* hdb_port_ok - a TCP port: number 1..65535, service name, "Any" or "-" */
static int
hdb_port_ok(const char *s)
{
	const char *p;
	long v;

	if (!hdb_class_ok(s))
		return 0;
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (*p)
		return 1;
	v = strtol(s, NULL, 10);
	return strlen(s) <= 5 && v >= 1 && v <= 65535;
}

/* hdb_days_len - length of the day part of a time item, or 0 */
static size_t
hdb_days_len(const char *s)
{
	static const char *const days[] = {
		"Any", "Never", "Wk", "Su", "Mo", "Tu", "We", "Th", "Fr", "Sa",
	};
	size_t i, len = 0, k;

	for (;;) {
		for (i = 0; i < UTIL_ARRAY_LEN(days); i++) {
			k = strlen(days[i]);
			if (strncmp(s + len, days[i], k) == 0)
				break;
		}
		if (i == UTIL_ARRAY_LEN(days))
			return len;
		len += k;
	}
}

/* hdb_hhmm - four digits of a valid time of day (0000..2400) */
static int
hdb_hhmm(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return (s[0] - '0') * 10 + (s[1] - '0') <= 24 && (s[2] - '0') * 10 + (s[3] - '0') < 60;
}

/* hdb_time_item - one "DaysHHMM-HHMM[/grade]" item of len bytes */
static int
hdb_time_item(const char *s, size_t len)
{
	size_t d = hdb_days_len(s);

	if (d == 0 || d > len)
		return 0;
	s += d;
	len -= d;
	if (len >= 9 && hdb_hhmm(s) && s[4] == '-' && hdb_hhmm(s + 5)) {
		s += 9;
		len -= 9;
	}
	if (len == 2 && s[0] == '/' && s[1] != '\0')
		return 1;
	return len == 0;
}

/* hdb_time_ok - a Systems time field: items separated by ',' or '|',
 * then an optional ";minutes" retry time */
static int
hdb_time_ok(const char *s)
{
	const char *semi = strchr(s, ';'), *end, *p, *q;

	end = semi ? semi : s + strlen(s);
	if (semi) {
		for (q = semi + 1; *q >= '0' && *q <= '9'; q++)
			;
		if (q == semi + 1 || *q || q - semi > 6)
			return 0;
	}
	for (p = s;; p = q + 1) {
		for (q = p; q < end && *q != ',' && *q != '|'; q++)
			;
		if (!hdb_time_item(p, (size_t)(q - p)))
			return 0;
		if (q == end)
			return 1;
	}
}

/* hdb_system_fill - fill one Systems entry from tokens; -1 when bad */
static int
hdb_system_fill(struct hdb_reader *r, struct hdb_line *l, struct hdb_system *s)
{
	char **t = l->tok;
	int ln = l->line;

	memset(s, 0, sizeof(*s));
	s->line = ln;
	if (l->ntok < 5 && !(l->ntok >= 2 && strcmp(t[1], "Never") == 0)) {
		hdb_error(r, ln, "need at least name, time, type, class and phone");
		return -1;
	}
	if (!name_is_safe(t[0], sizeof(s->name) - 1)) {
		hdb_error(r, ln, "bad system name: %.40s", t[0]);
		return -1;
	}
	str_copy(s->name, t[0], sizeof(s->name));
	if (!hdb_time_ok(t[1])) {
		hdb_error(r, ln, "bad time field: %.40s", t[1]);
		return -1;
	}
	if (hdb_field(r, ln, s->time, sizeof(s->time), t[1], "time") < 0)
		return -1;
	if (l->ntok < 5) {
		str_copy(s->type, "-", sizeof(s->type));
		str_copy(s->class, "-", sizeof(s->class));
		str_copy(s->phone, "-", sizeof(s->phone));
		return 0;
	}
	if (hdb_type_split(r, ln, t[2], s->type, sizeof(s->type), s->protocols,
	    sizeof(s->protocols)) < 0)
		return -1;
	if (!hdb_class_ok(t[3]) || (strcmp(s->type, "TCP") == 0 && !hdb_port_ok(t[3]))) {
		hdb_error(r, ln, "bad class (speed or port): %.40s", t[3]);
		return -1;
	}
	if (hdb_field(r, ln, s->class, sizeof(s->class), t[3], "class") < 0 ||
	    hdb_field(r, ln, s->phone, sizeof(s->phone), t[4], "phone") < 0)
		return -1;
	if (strcmp(s->type, "TCP") == 0 && (!name_is_safe(s->phone, 255) || !strcmp(s->phone, "-"))) {
		hdb_error(r, ln, "TCP needs a host name in the phone field");
		return -1;
	}
	s->nchat = l->ntok - 5;
	if (!(s->chat = hdb_strv(t + 5, s->nchat))) {
		hdb_error(r, ln, "out of memory");
		return -1;
	}
	return 0;
}

/* hdb_grow - make room for one more element in an array */
static void *
hdb_grow(void *arr, size_t n, size_t size)
{
	return realloc(arr, (n + 1) * size);
}

/* hdb_parse_systems - parse a Systems file */
int
hdb_parse_systems(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs)
{
	struct hdb_reader r = { text, text + len, 0, fname, errs, 0 };
	struct hdb_line *l = malloc(sizeof(*l));
	struct hdb_system s, *a;

	if (!l) {
		hdb_error(&r, 0, "out of memory");
		return r.nerr;
	}
	while (hdb_next(&r, l)) {
		if (hdb_tokenize(&r, l) < 0 || hdb_system_fill(&r, l, &s) < 0)
			continue;
		if (!(a = hdb_grow(h->sys, h->nsys, sizeof(*a)))) {
			hdb_strv_free(s.chat, s.nchat);
			hdb_error(&r, l->line, "out of memory");
			break;
		}
		h->sys = a;
		h->sys[h->nsys++] = s;
	}
	free(l);
	return r.nerr;
}

/* hdb_line_ok - a Devices line: "-", a name under /dev, or a clean path */
static int
hdb_line_ok(const char *s)
{
	char buf[PATH_MAX];

	if (strcmp(s, "-") == 0)
		return 1;
	if (s[0] == '/')
		return path_is_clean(s);
	if (str_fmt(buf, sizeof(buf), "/dev/%s", s) < 0)
		return 0;
	return path_is_clean(buf) && strchr(s, ' ') == NULL;
}

/* hdb_device_check - the rules that depend on the device type */
static int
hdb_device_check(struct hdb_reader *r, struct hdb_line *l, const struct hdb_device *d)
{
	if (strcmp(d->type, "ACU") == 0 && l->ntok < 5) {
		hdb_error(r, l->line, "ACU needs a dialer");
		return -1;
	}
	if (strcmp(d->type, "Pipe") == 0 && (l->ntok < 5 || l->tok[4][0] != '/')) {
		hdb_error(r, l->line, "Pipe needs a command with an absolute path");
		return -1;
	}
	if (strcmp(d->type, "TCP") == 0 && !hdb_port_ok(d->class)) {
		hdb_error(r, l->line, "bad TCP port: %.40s", d->class);
		return -1;
	}
	return 0;
}

/* hdb_device_fill - fill one Devices entry from tokens; -1 when bad */
static int
hdb_device_fill(struct hdb_reader *r, struct hdb_line *l, struct hdb_device *d)
{
	char **t = l->tok;
	int ln = l->line;

	memset(d, 0, sizeof(*d));
	d->line_no = ln;
	if (l->ntok < 4) {
		hdb_error(r, ln, "need at least type, line, line2 and class");
		return -1;
	}
	if (hdb_type_split(r, ln, t[0], d->type, sizeof(d->type), d->protocols,
	    sizeof(d->protocols)) < 0)
		return -1;
	if (!hdb_line_ok(t[1]) || !hdb_line_ok(t[2])) {
		hdb_error(r, ln, "bad device line: %.40s", hdb_line_ok(t[1]) ? t[2] : t[1]);
		return -1;
	}
	if (!hdb_class_ok(t[3])) {
		hdb_error(r, ln, "bad class (speed or port): %.40s", t[3]);
		return -1;
	}
	if (hdb_field(r, ln, d->line, sizeof(d->line), t[1], "line") < 0 ||
	    hdb_field(r, ln, d->line2, sizeof(d->line2), t[2], "line2") < 0 ||
	    hdb_field(r, ln, d->class, sizeof(d->class), t[3], "class") < 0 ||
	    hdb_device_check(r, l, d) < 0)
		return -1;
	d->ndialer = l->ntok - 4;
	if (!(d->dialer = hdb_strv(t + 4, d->ndialer))) {
		hdb_error(r, ln, "out of memory");
		return -1;
	}
	return 0;
}

/* hdb_parse_devices - parse a Devices file */
int
hdb_parse_devices(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs)
{
	struct hdb_reader r = { text, text + len, 0, fname, errs, 0 };
	struct hdb_line *l = malloc(sizeof(*l));
	struct hdb_device d, *a;

	if (!l) {
		hdb_error(&r, 0, "out of memory");
		return r.nerr;
	}
	while (hdb_next(&r, l)) {
		if (hdb_tokenize(&r, l) < 0 || hdb_device_fill(&r, l, &d) < 0)
			continue;
		if (!(a = hdb_grow(h->dev, h->ndev, sizeof(*a)))) {
			hdb_strv_free(d.dialer, d.ndialer);
			hdb_error(&r, l->line, "out of memory");
			break;
		}
		h->dev = a;
		h->dev[h->ndev++] = d;
	}
	free(l);
	return r.nerr;
}

/* hdb_dialer_fill - fill one Dialers entry from tokens; -1 when bad */
static int
hdb_dialer_fill(struct hdb_reader *r, struct hdb_line *l, struct hdb_dialer *d)
{
	char **t = l->tok;
	int ln = l->line;

	memset(d, 0, sizeof(*d));
	d->line = ln;
	if (l->ntok < 2) {
		hdb_error(r, ln, "need a dialer name and a substitution field");
		return -1;
	}
	if (!name_is_safe(t[0], sizeof(d->name) - 1)) {
		hdb_error(r, ln, "bad dialer name: %.40s", t[0]);
		return -1;
	}
	str_copy(d->name, t[0], sizeof(d->name));
	if (strlen(t[1]) % 2 != 0) {
		hdb_error(r, ln, "substitutions must come in pairs: %.40s", t[1]);
		return -1;
	}
	if (hdb_field(r, ln, d->subst, sizeof(d->subst), t[1], "substitutions") < 0)
		return -1;
	d->nchat = l->ntok - 2;
	if (!(d->chat = hdb_strv(t + 2, d->nchat))) {
		hdb_error(r, ln, "out of memory");
		return -1;
	}
	return 0;
}

/* hdb_parse_dialers - parse a Dialers file */
int
hdb_parse_dialers(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs)
{
	struct hdb_reader r = { text, text + len, 0, fname, errs, 0 };
	struct hdb_line *l = malloc(sizeof(*l));
	struct hdb_dialer d, *a;

	if (!l) {
		hdb_error(&r, 0, "out of memory");
		return r.nerr;
	}
	while (hdb_next(&r, l)) {
		if (hdb_tokenize(&r, l) < 0 || hdb_dialer_fill(&r, l, &d) < 0)
			continue;
		if (!(a = hdb_grow(h->dial, h->ndial, sizeof(*a)))) {
			hdb_strv_free(d.chat, d.nchat);
			hdb_error(&r, l->line, "out of memory");
			break;
		}
		h->dial = a;
		h->dial[h->ndial++] = d;
	}
	free(l);
	return r.nerr;
}

/* Permissions list options: name and where the list goes. */
enum { HDB_P_LOGNAME, HDB_P_MACHINE, HDB_P_READ, HDB_P_WRITE, HDB_P_NOREAD,
	HDB_P_NOWRITE, HDB_P_COMMANDS, HDB_P_VALIDATE, HDB_P_NLIST };

/* hdb_perm_list - the list slot and count for a list option */
static char ***
hdb_perm_list(struct hdb_perm *p, int which, size_t **np)
{
	switch (which) {
	case HDB_P_LOGNAME: *np = &p->nlogname; return &p->logname;
	case HDB_P_MACHINE: *np = &p->nmachine; return &p->machine;
	case HDB_P_READ: *np = &p->nread; return &p->read;
	case HDB_P_WRITE: *np = &p->nwrite; return &p->write;
	case HDB_P_NOREAD: *np = &p->nnoread; return &p->noread;
	case HDB_P_NOWRITE: *np = &p->nnowrite; return &p->nowrite;
	case HDB_P_COMMANDS: *np = &p->ncommands; return &p->commands;
	default: *np = &p->nvalidate; return &p->validate;
	}
}

/* hdb_perm_item - check and canonicalize one list item into out */
static int
hdb_perm_item(int which, const char *item, char *out, size_t n)
{
	switch (which) {
	case HDB_P_READ: case HDB_P_WRITE: case HDB_P_NOREAD: case HDB_P_NOWRITE:
		return path_is_clean(item) ? path_canon(out, n, item) : -1;
	case HDB_P_COMMANDS:
		if (item[0] == '/')
			return path_is_clean(item) ? str_copy(out, item, n) : -1;
		if (strcmp(item, "ALL") == 0)
			return str_copy(out, item, n);
		/* FALLTHROUGH */
	default:
		return name_is_safe(item, 63) ? str_copy(out, item, n) : -1;
	}
}

/* hdb_perm_set_list - parse a colon-separated list option */
static int
hdb_perm_set_list(struct hdb_reader *r, int ln, struct hdb_perm *p, int which,
    const char *name, const char *val)
{
	char item[PATH_MAX], canon[PATH_MAX];
	size_t *np, len;
	char ***slot = hdb_perm_list(p, which, &np);
	char **v;
	const char *s = val, *c;

	if (*slot) {
		hdb_error(r, ln, "%s given twice", name);
		return -1;
	}
	if (!(*slot = calloc(HDB_TOKENS_MAX + 1, sizeof(**slot)))) {
		hdb_error(r, ln, "out of memory");
		return -1;
	}
	v = *slot;
	for (;;) {
		c = strchr(s, ':');
		len = c ? (size_t)(c - s) : strlen(s);
		if (len == 0 || len >= sizeof(item) || *np == HDB_TOKENS_MAX) {
			hdb_error(r, ln, "bad %s list: %.60s", name, val);
			return -1;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (hdb_perm_item(which, item, canon, sizeof(canon)) < 0) {
			hdb_error(r, ln, "bad %s item: %.60s", name, item);
			return -1;
		}
		if (!(v[*np] = strdup(canon))) {
			hdb_error(r, ln, "out of memory");
			return -1;
		}
		(*np)++;
		if (!c)
			return 0;
		s = c + 1;
	}
}

/* hdb_perm_yesno - a yes/no style option; *out set, -1 when bad */
static int
hdb_perm_yesno(struct hdb_reader *r, int ln, const char *name, const char *val,
    const char *yes, const char *no, int *out)
{
	if (strcmp(val, yes) == 0)
		*out = 1;
	else if (strcmp(val, no) == 0)
		*out = 0;
	else {
		hdb_error(r, ln, "%s must be %s or %s", name, yes, no);
		return -1;
	}
	return 0;
}

/* hdb_perm_option - apply one NAME=value option to an entry */
static int
hdb_perm_option(struct hdb_reader *r, int ln, struct hdb_perm *p, const char *tok)
{
	static const char *const lists[HDB_P_NLIST] = {
		"LOGNAME", "MACHINE", "READ", "WRITE", "NOREAD", "NOWRITE",
		"COMMANDS", "VALIDATE",
	};
	const char *eq = strchr(tok, '=');
	char name[32];
	size_t nl = eq ? (size_t)(eq - tok) : 0;
	int i;

	if (!eq || nl == 0 || nl >= sizeof(name)) {
		hdb_error(r, ln, "expected OPTION=value: %.40s", tok);
		return -1;
	}
	memcpy(name, tok, nl);
	name[nl] = '\0';
	for (i = 0; i < HDB_P_NLIST; i++)
		if (strcmp(name, lists[i]) == 0)
			return hdb_perm_set_list(r, ln, p, i, name, eq + 1);
	if (strcmp(name, "REQUEST") == 0)
		return hdb_perm_yesno(r, ln, name, eq + 1, "yes", "no", &p->request);
	if (strcmp(name, "SENDFILES") == 0)
		return hdb_perm_yesno(r, ln, name, eq + 1, "yes", "call", &p->sendfiles);
	if (strcmp(name, "CALLBACK") == 0)
		return hdb_perm_yesno(r, ln, name, eq + 1, "yes", "no", &p->callback);
	if (strcmp(name, "MYNAME") == 0) {
		if (name_is_safe(eq + 1, sizeof(p->myname) - 1))
			return str_copy(p->myname, eq + 1, sizeof(p->myname));
		hdb_error(r, ln, "bad MYNAME: %.40s", eq + 1);
		return -1;
	}
	if (strcmp(name, "PUBDIR") == 0) {
		if (path_is_clean(eq + 1) && path_canon(p->pubdir, sizeof(p->pubdir), eq + 1) == 0)
			return 0;
		hdb_error(r, ln, "bad PUBDIR: %.60s", eq + 1);
		return -1;
	}
	hdb_error(r, ln, "unknown option %s", name);
	return -1;
}

/* hdb_perm_free_one - free the lists of one entry */
static void
hdb_perm_free_one(struct hdb_perm *p)
{
	hdb_strv_free(p->logname, p->nlogname);
	hdb_strv_free(p->machine, p->nmachine);
	hdb_strv_free(p->read, p->nread);
	hdb_strv_free(p->write, p->nwrite);
	hdb_strv_free(p->noread, p->nnoread);
	hdb_strv_free(p->nowrite, p->nnowrite);
	hdb_strv_free(p->commands, p->ncommands);
	hdb_strv_free(p->validate, p->nvalidate);
}

/* hdb_in_list - whether s is in a vector */
static int
hdb_in_list(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* hdb_perm_dups - a login or machine already named by an earlier entry */
static const char *
hdb_perm_dups(const struct hdb *h, const struct hdb_perm *p)
{
	size_t i, k;

	for (i = 0; i < h->nperm; i++) {
		for (k = 0; k < p->nlogname; k++)
			if (hdb_in_list(h->perm[i].logname, h->perm[i].nlogname, p->logname[k]))
				return p->logname[k];
		for (k = 0; k < p->nmachine; k++)
			if (hdb_in_list(h->perm[i].machine, h->perm[i].nmachine, p->machine[k]))
				return p->machine[k];
	}
	return NULL;
}

/* hdb_perm_fill - build one Permissions entry; -1 when bad */
static int
hdb_perm_fill(struct hdb_reader *r, const struct hdb *h, struct hdb_line *l,
    struct hdb_perm *p)
{
	const char *dup;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->line = l->line;
	for (i = 0; i < l->ntok; i++)
		if (hdb_perm_option(r, l->line, p, l->tok[i]) < 0)
			goto bad;
	if (!p->logname && !p->machine) {
		hdb_error(r, l->line, "entry has neither LOGNAME= nor MACHINE=");
		goto bad;
	}
	if ((dup = hdb_perm_dups(h, p))) {
		hdb_error(r, l->line, "%s is already named in an earlier entry", dup);
		goto bad;
	}
	return 0;
bad:
	hdb_perm_free_one(p);
	return -1;
}

/* hdb_parse_permissions - parse a Permissions file */
int
hdb_parse_permissions(struct hdb *h, const char *text, size_t len, const char *fname,
    struct hdb_errors *errs)
{
	struct hdb_reader r = { text, text + len, 0, fname, errs, 0 };
	struct hdb_line *l = malloc(sizeof(*l));
	struct hdb_perm p, *a;

	if (!l) {
		hdb_error(&r, 0, "out of memory");
		return r.nerr;
	}
	while (hdb_next(&r, l)) {
		if (hdb_tokenize(&r, l) < 0 || hdb_perm_fill(&r, h, l, &p) < 0)
			continue;
		if (!(a = hdb_grow(h->perm, h->nperm, sizeof(*a)))) {
			hdb_perm_free_one(&p);
			hdb_error(&r, l->line, "out of memory");
			break;
		}
		h->perm = a;
		h->perm[h->nperm++] = p;
	}
	free(l);
	return r.nerr;
}

/* hdb_load_one - read one file (missing is empty) and run a parser */
static int
hdb_load_one(struct hdb *h, const char *path, struct hdb_errors *errs,
    int (*parse)(struct hdb *, const char *, size_t, const char *, struct hdb_errors *))
{
	struct hdb_reader r = { NULL, NULL, 0, path, errs, 0 };
	size_t len = 0;
	char *text;
	int n;

	if (!path || !*path)
		return 0;
	if (!(text = file_read(path, HDB_FILE_MAX, &len))) {
		if (errno == ENOENT)
			return 0;
		hdb_error(&r, 0, "cannot read: %s", strerror(errno));
		return r.nerr;
	}
	n = parse(h, text, len, path, errs);
	free(text);
	return n;
}

/* hdb_load - read and parse the four files */
int
hdb_load(struct hdb *h, const char *systems, const char *devices, const char *dialers,
    const char *permissions, struct hdb_errors *errs)
{
	int n = 0;

	n += hdb_load_one(h, systems, errs, hdb_parse_systems);
	n += hdb_load_one(h, devices, errs, hdb_parse_devices);
	n += hdb_load_one(h, dialers, errs, hdb_parse_dialers);
	n += hdb_load_one(h, permissions, errs, hdb_parse_permissions);
	return n;
}

/* hdb_free - free everything the parsers built */
void
hdb_free(struct hdb *h)
{
	size_t i;

	for (i = 0; i < h->nsys; i++)
		hdb_strv_free(h->sys[i].chat, h->sys[i].nchat);
	for (i = 0; i < h->ndev; i++)
		hdb_strv_free(h->dev[i].dialer, h->dev[i].ndialer);
	for (i = 0; i < h->ndial; i++)
		hdb_strv_free(h->dial[i].chat, h->dial[i].nchat);
	for (i = 0; i < h->nperm; i++)
		hdb_perm_free_one(&h->perm[i]);
	free(h->sys);
	free(h->dev);
	free(h->dial);
	free(h->perm);
	memset(h, 0, sizeof(*h));
}

/* hdb_errors_free - free an error list */
void
hdb_errors_free(struct hdb_errors *errs)
{
	hdb_strv_free(errs->msg, errs->n);
	errs->msg = NULL;
	errs->n = 0;
}

/* hdb_find_system - next Systems entry for name at or after from */
int
hdb_find_system(const struct hdb *h, const char *name, size_t from)
{
	size_t i;

	for (i = from; i < h->nsys; i++)
		if (strcmp(h->sys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* hdb_find_device - next Devices entry of a type at or after from */
int
hdb_find_device(const struct hdb *h, const char *type, size_t from)
{
	size_t i;

	for (i = from; i < h->ndev; i++)
		if (strcmp(h->dev[i].type, type) == 0)
			return (int)i;
	return -1;
}

/* hdb_find_dialer - the Dialers entry of a name, or NULL */
const struct hdb_dialer *
hdb_find_dialer(const struct hdb *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->ndial; i++)
		if (strcmp(h->dial[i].name, name) == 0)
			return &h->dial[i];
	return NULL;
}
