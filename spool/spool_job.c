/*
 * spool_job.c - parse and format one command file.  Pure functions: no
 * I/O.  The text comes from the spool directory, which a crash, a full
 * disk or a careless user may have damaged, so every field is bounded and
 * validated and anything unexpected is an error, never a guess.
 *
 * The format:
 *
 *   brigade-job 1
 *   id 0f1e...-uuid
 *   sys beta
 *   grade N
 *   queued 1764460000
 *   user alice
 *   <blank line>
 *   cmd S /home/alice/f ~/f alice Cd D.alphaN0001 0644 - -
 *   done S /home/alice/g ~/g alice Cd D.alphaN0002 0644 - -
 *
 * Command lines hold ten space-separated fields: state (cmd or done),
 * kind, from, to, user, options, temp, mode (octal), notify, command.
 * In a field "\\" is a backslash, "\s" a space, "\n" "\t" "\r" what C
 * means by them, "\xHH" any other byte but NUL; a field that is exactly
 * "-" is the empty string (a value "-" is written "\x2d").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "spool/spool.h"

#define SPOOL_FIELDS 10

struct spool_buf {
	char *p;
	size_t len, cap;
	int err;
};

/* spool_buf_add - append n bytes, growing the buffer */
static void
spool_buf_add(struct spool_buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 512;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* spool_buf_str - append a string */
static void
spool_buf_str(struct spool_buf *b, const char *s)
{
	spool_buf_add(b, s, strlen(s));
}

/* spool_buf_field - append one escaped field */
static void
spool_buf_field(struct spool_buf *b, const char *s)
{
	const unsigned char *p;
	char hex[8];

	if (*s == '\0') {
		spool_buf_str(b, "-");
		return;
	}
	if (strcmp(s, "-") == 0) {
		spool_buf_str(b, "\\x2d");
		return;
	}
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\\': spool_buf_str(b, "\\\\"); break;
		case ' ': spool_buf_str(b, "\\s"); break;
		case '\n': spool_buf_str(b, "\\n"); break;
		case '\t': spool_buf_str(b, "\\t"); break;
		case '\r': spool_buf_str(b, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(hex, sizeof(hex), "\\x%02x", *p);
				spool_buf_str(b, hex);
			} else {
				spool_buf_add(b, (const char *)p, 1);
			}
		}
	}
}

/* spool_hexval - value of one hex digit, or -1 */
static int
spool_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* spool_unescape - decode field s (n bytes) into out; -1 on a bad escape
 * or when it does not fit */
static int
spool_unescape(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	if (n == 1 && s[0] == '-') {
		out[0] = '\0';
		return 0;
	}
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '\\') {
			if (++i >= n)
				return -1;
			switch (s[i]) {
			case '\\': c = '\\'; break;
			case 's': c = ' '; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'x':
				if (i + 2 >= n)
					return -1;
				hi = spool_hexval(s[i + 1]);
				lo = spool_hexval(s[i + 2]);
				if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
					return -1;
				c = (char)(hi * 16 + lo);
				i += 2;
				break;
			default:
				return -1;
			}
		} else if ((unsigned char)c < 0x20 || c == 0x7f) {
			return -1;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* spool_grade_ok - whether g is a valid grade */
static int
spool_grade_ok(char g)
{
	return (g >= '0' && g <= '9') || (g >= 'A' && g <= 'Z') || (g >= 'a' && g <= 'z');
}

/* spool_id_ok - whether s looks like a lower-case UUID */
static int
spool_id_ok(const char *s)
{
	size_t i;

	if (strlen(s) != SPOOL_ID_MAX - 1)
		return 0;
	for (i = 0; s[i]; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

/* spool_options_ok - wire options: letters only */
static int
spool_options_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

/* spool_str - a command's string, NULL read as "" */
static const char *
spool_str(const char *s)
{
	return s ? s : "";
}

/* spool_cmd_check - validate one command's fields; NULL or why not */
static const char *
spool_cmd_check(const struct spool_cmd *c)
{
	const char *from = spool_str(c->from), *to = spool_str(c->to);
	const char *command = spool_str(c->command);

	if (!strchr("SREX", c->kind) || c->kind == '\0')
		return "unknown command kind";
	if (c->kind != 'E' && (from[0] == '\0' || to[0] == '\0'))
		return "empty path";
	if (c->kind == 'E' && command[0] == '\0')
		return "empty command";
	if (strlen(from) >= SPOOL_PATH_MAX || strlen(to) >= SPOOL_PATH_MAX ||
	    strlen(command) >= SPOOL_COMMAND_MAX)
		return "oversized field";
	if (!spool_options_ok(c->options))
		return "bad options";
	if (!name_is_safe(c->temp, SPOOL_WIRE_MAX - 1))
		return "bad temp name";
	if (c->user[0] != '\0' && !name_is_safe(c->user, sizeof(c->user) - 1))
		return "bad user";
	if (c->mode > 07777)
		return "bad mode";
	return NULL;
}

/* spool_job_format - the text of a command file, malloc'd; NULL on an
 * invalid job (errno EINVAL) or no memory */
char *
spool_job_format(const struct spool_job *job, size_t *lenp)
{
	struct spool_buf b = { 0 };
	char num[64];
	size_t i;

	if (!spool_id_ok(job->id) || !name_is_safe(job->sys, SPOOL_SYS_MAX - 1) ||
	    !spool_grade_ok(job->grade) || job->ncmd == 0 || job->ncmd > SPOOL_CMD_MAX ||
	    (job->user[0] && !name_is_safe(job->user, sizeof(job->user) - 1)))
		goto invalid;
	for (i = 0; i < job->ncmd; i++)
		if (spool_cmd_check(&job->cmd[i]))
			goto invalid;
	spool_buf_str(&b, "brigade-job 1\nid ");
	spool_buf_str(&b, job->id);
	spool_buf_str(&b, "\nsys ");
	spool_buf_field(&b, job->sys);	/* parsed with escapes, as every value */
	snprintf(num, sizeof(num), "\ngrade %c\nqueued %lld\nuser ", job->grade,
	    (long long)job->queued);
	spool_buf_str(&b, num);
	spool_buf_field(&b, job->user);
	spool_buf_str(&b, "\n\n");
	for (i = 0; i < job->ncmd; i++) {
		const struct spool_cmd *c = &job->cmd[i];
		snprintf(num, sizeof(num), "%s %c ", c->done ? "done" : "cmd", c->kind);
		spool_buf_str(&b, num);
		spool_buf_field(&b, spool_str(c->from));
		spool_buf_str(&b, " ");
		spool_buf_field(&b, spool_str(c->to));
		spool_buf_str(&b, " ");
		spool_buf_field(&b, c->user);
		spool_buf_str(&b, " ");
		spool_buf_field(&b, c->options);
		spool_buf_str(&b, " ");
		spool_buf_field(&b, c->temp);
		snprintf(num, sizeof(num), " %04o ", c->mode);
		spool_buf_str(&b, num);
		spool_buf_field(&b, c->notify);
		spool_buf_str(&b, " ");
		spool_buf_field(&b, spool_str(c->command));
		spool_buf_str(&b, "\n");
	}
	if (b.err) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	if (lenp)
		*lenp = b.len;
	return b.p;
invalid:
	errno = EINVAL;
	return NULL;
}

/* spool_split - split line (n bytes, no newline) at single spaces into at
 * most max fields; returns the count, or -1 on an empty field */
static int
spool_split(const char *line, size_t n, const char **f, size_t *fl, int max)
{
	size_t i, start = 0;
	int k = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && line[i] != ' ')
			continue;
		if (i == start || k == max)
			return -1;
		f[k] = line + start;
		fl[k++] = i - start;
		start = i + 1;
	}
	return k;
}

/* spool_parse_header - one "key value" header line into job; NULL or why */
static const char *
spool_parse_header(const char *line, size_t n, struct spool_job *job, unsigned *seen)
{
	static const char *keys[] = { "id", "sys", "grade", "queued", "user" };
	const char *f[2];
	size_t fl[2], k;
	char val[256], *end;
	long long q;

	if (spool_split(line, n, f, fl, 2) != 2)
		return "bad header line";
	for (k = 0; k < UTIL_ARRAY_LEN(keys); k++)
		if (strlen(keys[k]) == fl[0] && memcmp(keys[k], f[0], fl[0]) == 0)
			break;
	if (k == UTIL_ARRAY_LEN(keys))
		return "unknown header";
	if (*seen & (1u << k))
		return "repeated header";
	*seen |= 1u << k;
	if (spool_unescape(f[1], fl[1], val, sizeof(val)) < 0)
		return "bad header value";
	switch (k) {
	case 0:
		if (!spool_id_ok(val))
			return "bad id";
		str_copy(job->id, val, sizeof(job->id));
		break;
	case 1:
		if (!name_is_safe(val, SPOOL_SYS_MAX - 1))
			return "bad system name";
		str_copy(job->sys, val, sizeof(job->sys));
		break;
	case 2:
		if (strlen(val) != 1 || !spool_grade_ok(val[0]))
			return "bad grade";
		job->grade = val[0];
		break;
	case 3:
		errno = 0;
		q = strtoll(val, &end, 10);
		if (errno || *end || end == val || q < 0)
			return "bad queued time";
		job->queued = (time_t)q;
		break;
	default:
		if (val[0] && !name_is_safe(val, sizeof(job->user) - 1))
			return "bad user";
		if (str_copy(job->user, val, sizeof(job->user)) < 0)
			return "user too long";
	}
	return NULL;
}

/* spool_arena - room for the commands' strings, filled as they are parsed */
struct spool_arena {
	char *p;
	size_t left;
};

/* spool_arena_field - decode field s (n bytes) into the arena, at most max
 * bytes with the NUL; the string, or NULL when it is bad or too long */
static const char *
spool_arena_field(struct spool_arena *a, const char *s, size_t n, size_t max)
{
	char *out = a->p;
	size_t len;

	if (a->left == 0 || spool_unescape(s, n, out, max < a->left ? max : a->left) < 0)
		return NULL;
	len = strlen(out) + 1;
	a->p += len;
	a->left -= len;
	return out;
}

/* spool_parse_cmd - one command line into c, its long strings into a;
 * NULL or why */
static const char *
spool_parse_cmd(const char *line, size_t n, struct spool_cmd *c, struct spool_arena *a)
{
	const char *f[SPOOL_FIELDS];
	size_t fl[SPOOL_FIELDS];
	char mode[16], *end;
	unsigned long m;

	memset(c, 0, sizeof(*c));
	if (spool_split(line, n, f, fl, SPOOL_FIELDS) != SPOOL_FIELDS)
		return "command line needs ten fields";
	if (fl[0] == 3 && memcmp(f[0], "cmd", 3) == 0)
		c->done = 0;
	else if (fl[0] == 4 && memcmp(f[0], "done", 4) == 0)
		c->done = 1;
	else
		return "bad command state";
	if (fl[1] != 1)
		return "bad command kind";
	c->kind = f[1][0];
	if (!(c->from = spool_arena_field(a, f[2], fl[2], SPOOL_PATH_MAX)) ||
	    !(c->to = spool_arena_field(a, f[3], fl[3], SPOOL_PATH_MAX)) ||
	    spool_unescape(f[4], fl[4], c->user, sizeof(c->user)) < 0 ||
	    spool_unescape(f[5], fl[5], c->options, sizeof(c->options)) < 0 ||
	    spool_unescape(f[6], fl[6], c->temp, sizeof(c->temp)) < 0 ||
	    spool_unescape(f[7], fl[7], mode, sizeof(mode)) < 0 ||
	    spool_unescape(f[8], fl[8], c->notify, sizeof(c->notify)) < 0 ||
	    !(c->command = spool_arena_field(a, f[9], fl[9], SPOOL_COMMAND_MAX)))
		return "bad or oversized field";
	errno = 0;
	m = strtoul(mode, &end, 8);
	if (errno || *end || end == mode || mode[0] == '-')
		return "bad mode";
	c->mode = (unsigned)(m > 07777 ? 077777 : m);
	return spool_cmd_check(c);
}

/* spool_job_parse - parse a command file's text into job (job->cmd is
 * malloc'd); 0, or -1 with "line N: why" in err */
int
spool_job_parse(const char *text, size_t len, struct spool_job *job, char *err,
    size_t errlen)
{
	const char *p = text, *end = text + len, *nl, *why = NULL;
	struct spool_arena arena;
	size_t ncmd = 0, nalloc, i;
	unsigned seen = 0;
	int lineno = 0, inbody = 0;

	memset(job, 0, sizeof(*job));
	if (memchr(text, '\0', len)) {
		why = "NUL byte";
		goto bad;
	}
	for (i = 1; i < len; i++) {	/* command lines: those after the blank line */
		if (text[i] != '\n')
			continue;
		if (inbody)
			ncmd++;
		else if (text[i - 1] == '\n')
			inbody = 1;
	}
	inbody = 0;
	if (len == 0 || text[len - 1] != '\n') {
		why = "missing final newline";
		goto bad;
	}
	/* one block: exactly as many commands as there are (at least one,
	 * and room for the one too many that makes the job bad), then their
	 * strings, which decoded take no more room than the text they come
	 * from (each field is followed by a space or a newline for its NUL) */
	nalloc = ncmd == 0 ? 1 : ncmd < SPOOL_CMD_MAX ? ncmd : SPOOL_CMD_MAX;
	job->cmd = calloc(1, nalloc * sizeof(*job->cmd) + len);
	if (!job->cmd) {
		why = "out of memory";
		goto bad;
	}
	arena.p = (char *)(job->cmd + nalloc);
	arena.left = len;
	for (; p < end; p = nl + 1) {
		size_t n;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(nl - p);
		lineno++;
		if (lineno == 1) {
			if (n != 13 || memcmp(p, "brigade-job 1", 13) != 0)
				why = "not a version 1 command file";
		} else if (!inbody) {
			if (n == 0)
				inbody = 1;
			else
				why = spool_parse_header(p, n, job, &seen);
		} else if (job->ncmd == SPOOL_CMD_MAX) {
			why = "too many commands";
		} else {
			why = spool_parse_cmd(p, n, &job->cmd[job->ncmd++], &arena);
		}
		if (why)
			goto bad;
	}
	if (!inbody || seen != 0x1f) {
		lineno = 0;
		why = "incomplete header";
		goto bad;
	}
	if (job->ncmd == 0) {
		why = "no commands";
		goto bad;
	}
	return 0;
bad:
	if (err && errlen)
		snprintf(err, errlen, "line %d: %s", lineno, why);
	free(job->cmd);
	job->cmd = NULL;
	job->ncmd = 0;
	return -1;
}
