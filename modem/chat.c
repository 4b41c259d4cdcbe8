/*
 * chat.c - expect/send chat scripts over a port (HDB and Taylor style).
 * Everything received during a chat comes from another machine or a modem
 * and is hostile: it is only compared against the expected text, kept in
 * a bounded buffer and shown escaped in failure reasons.  The script comes
 * from configuration; its escapes are expanded by pure functions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "modem/chat.h"
#include "modem/port.h"

#define CHAT_MAX 512		/* longest expanded string */
#define CHAT_TAIL 256		/* received bytes kept for matching */
#define CHAT_SHOW 40		/* received bytes shown in a reason */
#define CHAT_PAUSE_MS 250	/* \p */
#define CHAT_DELAY_MS 1000	/* \d */

const char *const chat_modem_failures[] = {
	"NO CARRIER", "BUSY", "NO DIALTONE", "NO DIAL TONE", "NO ANSWER", "ERROR", NULL,
};

/* What the chat has received lately (7-bit), for matching and reasons. */
struct chat_tail {
	unsigned char b[CHAT_TAIL];
	size_t n;
};

/* chat_is_empty - whether s means "nothing": "" or the two characters "" */
static int
chat_is_empty(const char *s)
{
	return s[0] == '\0' || strcmp(s, "\"\"") == 0;
}

/* chat_put - append byte c to out; -1 when full */
static int
chat_put(char *out, size_t outlen, size_t *o, unsigned char c)
{
	if (*o >= outlen)
		return -1;
	out[(*o)++] = (char)c;
	return 0;
}

/* chat_put_data - append a byte to send, doubling CHAT_CMD */
static int
chat_put_data(char *out, size_t outlen, size_t *o, unsigned char c)
{
	if (c == CHAT_CMD && chat_put(out, outlen, o, CHAT_CMD) < 0)
		return -1;
	return chat_put(out, outlen, o, c);
}

/* chat_put_str - append a substituted value (NULL is an error) */
static int
chat_put_str(char *out, size_t outlen, size_t *o, const char *s)
{
	if (s == NULL)
		return -1;
	for (; *s; s++)
		if (chat_put_data(out, outlen, o, (unsigned char)*s) < 0)
			return -1;
	return 0;
}

/* chat_put_dial - append phone number s with each character translated
 * through the substitution pairs in codes ("=,-," turns '=' and '-' into
 * ','); a character without a pair is kept */
static int
chat_put_dial(char *out, size_t outlen, size_t *o, const char *s, const char *codes)
{
	if (s == NULL)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t i, n = codes ? strlen(codes) : 0;
		for (i = 0; i + 1 < n; i += 2)
			if ((unsigned char)codes[i] == c) {
				c = (unsigned char)codes[i + 1];
				break;
			}
		if (chat_put_data(out, outlen, o, c) < 0)
			return -1;
	}
	return 0;
}

/* chat_number - parse \ddd (octal, up to 3) or \x hex (as far as it goes) */
static unsigned char
chat_number(const char **sp, int hex)
{
	const char *s = *sp;
	unsigned v = 0;
	int i;

	for (i = 0; hex || i < 3; i++, s++) {
		int d;
		if (*s >= '0' && *s <= (hex ? '9' : '7'))
			d = *s - '0';
		else if (hex && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (hex && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = ((v << (hex ? 4 : 3)) | (unsigned)d) & 0xfff;
	}
	*sp = s;
	return (unsigned char)(v & 0xff);
}

/* chat_escape - expand the escape at *sp (after the backslash); 0 or -1 */
static int
chat_escape(const char **sp, const struct chat_subst *sub, int send, char *out,
    size_t outlen, size_t *o, int *nocr)
{
	static const struct {
		char esc, byte;
	} plain[] = {
		{ 'b', '\b' }, { 'n', '\n' }, { 'N', '\0' }, { 'r', '\r' },
		{ 's', ' ' }, { 't', '\t' }, { '\\', '\\' },
	};
	static const char cmds[] = "dpKEe";
	const char *s = *sp;
	char c = *s++;
	size_t k;

	*sp = s;
	if (c == '\0') {
		*sp = s - 1;
		return chat_put_data(out, outlen, o, '\\');
	}
	if ((c >= '0' && c <= '7') || c == 'x') {
		if (c != 'x')
			*sp = s - 1;
		return chat_put_data(out, outlen, o, chat_number(sp, c == 'x'));
	}
	for (k = 0; k < sizeof(plain) / sizeof(plain[0]); k++)
		if (plain[k].esc == c)
			return chat_put_data(out, outlen, o, (unsigned char)plain[k].byte);
	if (!send)
		return chat_put_data(out, outlen, o, (unsigned char)c);
	if (strchr(cmds, c)) {
		if (chat_put(out, outlen, o, CHAT_CMD) < 0)
			return -1;
		return chat_put(out, outlen, o, (unsigned char)c);
	}
	switch (c) {
	case 'c':
		if (*s == '\0')
			*nocr = 1;
		return 0;
	case 'M':
	case 'm':
		return 0;
	case 'T':
		return chat_put_dial(out, outlen, o, sub ? sub->phone : NULL,
		    sub ? sub->dialcodes : NULL);
	case 'D':
		return chat_put_str(out, outlen, o, sub ? sub->phone : NULL);
	case 'L':
		return chat_put_str(out, outlen, o, sub ? sub->login : NULL);
	case 'P':
		return chat_put_str(out, outlen, o, sub ? sub->password : NULL);
	case 'S':
		return chat_put_str(out, outlen, o, sub ? sub->system : NULL);
	default:
		return chat_put_data(out, outlen, o, (unsigned char)c);
	}
}

/* chat_expand_mode - expand a send (send=1) or expect (send=0) string */
static int
chat_expand_mode(const char *s, const struct chat_subst *sub, int send, char *out,
    size_t outlen, int *nocr)
{
	size_t o = 0;

	*nocr = 0;
	if (chat_is_empty(s)) {
		*nocr = 1;
		return 0;
	}
	if (send && strcmp(s, "EOT") == 0) {
		*nocr = 1;
		return chat_put(out, outlen, &o, 004) < 0 ? -1 : (int)o;
	}
	if (send && strcmp(s, "BREAK") == 0) {
		*nocr = 1;
		if (chat_put(out, outlen, &o, CHAT_CMD) < 0 ||
		    chat_put(out, outlen, &o, CHAT_CMD_BREAK) < 0)
			return -1;
		return (int)o;
	}
	while (*s) {
		int rc;
		if (*s == '\\') {
			s++;
			rc = chat_escape(&s, sub, send, out, outlen, &o, nocr);
		} else {
			rc = send ? chat_put_data(out, outlen, &o, (unsigned char)*s++)
			    : chat_put(out, outlen, &o, (unsigned char)*s++);
		}
		if (rc < 0 || o > (size_t)0x7fffffff)
			return -1;
	}
	return (int)o;
}

/* chat_expand - expand a send string's escapes */
int
chat_expand(const char *send, const struct chat_subst *sub, char *out, size_t outlen,
    int *nocr)
{
	return chat_expand_mode(send, sub, 1, out, outlen, nocr);
}

/* chat_show - the last bytes of tail, escaped and printable, into dst */
static void
chat_show(const struct chat_tail *t, char *dst, size_t n)
{
	size_t i = t->n > CHAT_SHOW ? t->n - CHAT_SHOW : 0, o = 0;

	for (; i < t->n && o + 5 < n; i++) {
		unsigned char c = t->b[i];
		if (c == '\r')
			o += (size_t)snprintf(dst + o, n - o, "\\r");
		else if (c == '\n')
			o += (size_t)snprintf(dst + o, n - o, "\\n");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(dst + o, n - o, "\\%03o", c);
		else
			dst[o++] = (char)c;
	}
	dst[o < n ? o : n - 1] = '\0';
}

/* chat_tail_add - remember a received byte (7-bit); whether pat now ends the tail */
static int
chat_tail_add(struct chat_tail *t, unsigned char c, const char *pat, size_t plen)
{
	if (t->n == CHAT_TAIL) {
		memmove(t->b, t->b + CHAT_TAIL / 2, CHAT_TAIL / 2);
		t->n = CHAT_TAIL / 2;
	}
	t->b[t->n++] = c & 0x7f;
	return plen > 0 && t->n >= plen && memcmp(t->b + t->n - plen, pat, plen) == 0;
}

/* chat_sleep_ms - sleep, ignoring interruptions */
static void
chat_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* chat_fail_read - the reason for a read that returned n (0 or -1) */
static void
chat_fail_read(ssize_t n, const char *what, const struct chat_tail *t, char *why,
    size_t whylen)
{
	char shown[CHAT_SHOW * 4 + 8];

	chat_show(t, shown, sizeof(shown));
	if (n == 0)
		(void)snprintf(why, whylen, "timed out waiting for \"%s\"; last received \"%s\"",
		    what, shown);
	else if (errno == EPIPE)
		(void)snprintf(why, whylen, "line closed waiting for \"%s\"; last received \"%s\"",
		    what, shown);
	else
		(void)snprintf(why, whylen, "read error waiting for \"%s\": %s; last received \"%s\"",
		    what, strerror(errno), shown);
}

/* chat_failed - the string of fail that the tail now ends with, or NULL */
static const char *
chat_failed(const struct chat_tail *t, const char *const *fail)
{
	size_t i;

	for (i = 0; fail && fail[i]; i++) {
		size_t n = strlen(fail[i]);
		if (n > 0 && t->n >= n && memcmp(t->b + t->n - n, fail[i], n) == 0)
			return fail[i];
	}
	return NULL;
}

/* chat_wait - read until pat is seen (1), timeout (0), error (-1) or a
 * string of fail (-2, *failed set) */
static int
chat_wait(struct port *p, const char *pat, size_t plen, long long deadline,
    struct chat_tail *t, ssize_t *last, const char *const *fail, const char **failed)
{
	for (;;) {
		long long rest = deadline - now_ms();
		unsigned char c;
		ssize_t n;

		if (rest < 0)
			rest = 0;
		/* One byte at a time: what follows the match is not ours. */
		n = port_read(p, &c, 1, (int)rest);
		*last = n;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		if (chat_tail_add(t, c, pat, plen))
			return 1;
		if (fail && (*failed = chat_failed(t, fail)) != NULL)
			return -2;
	}
}

/* chat_timeout_override - strip a trailing \W<seconds> from an expect; its seconds or -1 */
static int
chat_timeout_override(char *e)
{
	char *w = strstr(e, "\\W");
	int secs = 0;
	char *s;

	if (w == NULL || w[2] == '\0')
		return -1;
	for (s = w + 2; *s; s++) {
		if (*s < '0' || *s > '9' || secs > 100000)
			return -1;
		secs = secs * 10 + (*s - '0');
	}
	*w = '\0';
	return secs;
}

/* chat_send - send one expanded string, running its actions */
static int
chat_send_expanded(struct port *p, const char *x, size_t len, int timeout_s,
    struct chat_tail *t, char *why, size_t whylen)
{
	int echo = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)x[i];
		if (c == CHAT_CMD && i + 1 < len && (unsigned char)x[i + 1] != CHAT_CMD) {
			switch (x[++i]) {
			case CHAT_CMD_DELAY:
				chat_sleep_ms(CHAT_DELAY_MS);
				break;
			case CHAT_CMD_PAUSE:
				chat_sleep_ms(CHAT_PAUSE_MS);
				break;
			case CHAT_CMD_BREAK:
				log_debug(LOG_D_CHAT, "chat: break");
				if (isatty(p->wfd))
					(void)tcsendbreak(p->wfd, 0);
				break;
			case CHAT_CMD_ECHO_ON:
				echo = 1;
				break;
			case CHAT_CMD_ECHO_OFF:
				echo = 0;
				break;
			}
			continue;
		}
		if (c == CHAT_CMD)
			i++;
		if (port_write(p, &c, 1) < 0) {
			(void)snprintf(why, whylen, "write error during chat: %s", strerror(errno));
			return -1;
		}
		if (echo) {
			char pat[2] = { (char)(c & 0x7f), 0 };
			ssize_t last = 0;
			if (chat_wait(p, pat, 1, now_ms() + timeout_s * 1000LL, t, &last, NULL,
			    NULL) != 1) {
				char what[8];
				(void)snprintf(what, sizeof(what), "\\%03o", c);
				chat_fail_read(last, what, t, why, whylen);
				return -1;
			}
		}
	}
	return 0;
}

/* chat_send - expand and send a send string (and its carriage return) */
static int
chat_send(struct port *p, const char *send, const struct chat_subst *sub, int timeout_s,
    struct chat_tail *t, char *why, size_t whylen)
{
	char x[CHAT_MAX + 1];
	int nocr, len;

	log_debug(LOG_D_CHAT, "chat: send \"%s\"", send);
	len = chat_expand(send, sub, x, sizeof(x) - 1, &nocr);
	if (len < 0) {
		(void)snprintf(why, whylen, "cannot expand send string \"%s\"", send);
		return -1;
	}
	if (!nocr)
		x[len++] = '\r';
	return chat_send_expanded(p, x, (size_t)len, timeout_s, t, why, whylen);
}

/* chat_expect_one - wait for one expect alternative; 1 seen, 0 timeout, -1 error */
static int
chat_expect_one(struct port *p, char *e, const struct chat_subst *sub, int timeout_s,
    struct chat_tail *t, char *why, size_t whylen)
{
	const char *failed = NULL;
	char pat[CHAT_MAX];
	int nocr, len, secs, rc;
	ssize_t last = 0;
	size_t i;

	if (chat_is_empty(e))
		return 1;
	secs = chat_timeout_override(e);
	if (secs < 0)
		secs = timeout_s;
	len = chat_expand_mode(e, NULL, 0, pat, sizeof(pat), &nocr);
	if (len < 0) {
		(void)snprintf(why, whylen, "cannot expand expect string \"%s\"", e);
		return -1;
	}
	if (len == 0)
		return 1;
	for (i = 0; i < (size_t)len; i++)
		pat[i] &= 0x7f;
	log_debug(LOG_D_CHAT, "chat: expect \"%s\"", e);
	rc = chat_wait(p, pat, (size_t)len, now_ms() + secs * 1000LL, t, &last,
	    sub ? sub->fail : NULL, &failed);
	if (rc == -2) {
		(void)snprintf(why, whylen, "modem said \"%s\" waiting for \"%s\"", failed, e);
		return -1;
	}
	if (rc <= 0)
		chat_fail_read(last, e, t, why, whylen);
	return rc;
}

/* chat_expect - an expect with its sub-send/sub-expect alternatives */
static int
chat_expect(struct port *p, const char *expect, const struct chat_subst *sub, int timeout_s,
    struct chat_tail *t, char *why, size_t whylen)
{
	char buf[CHAT_MAX], *cur, *dash;
	int rc;

	if (str_copy(buf, expect, sizeof(buf)) < 0) {
		(void)snprintf(why, whylen, "expect string too long");
		return -1;
	}
	cur = buf;
	for (;;) {
		char *send;
		if ((dash = strchr(cur, '-')) != NULL)
			*dash = '\0';
		rc = chat_expect_one(p, cur, sub, timeout_s, t, why, whylen);
		if (rc != 0 || dash == NULL)
			return rc > 0 ? 0 : -1;
		send = dash + 1;
		if ((dash = strchr(send, '-')) == NULL)
			return -1;	/* no sub-expect after the sub-send */
		*dash = '\0';
		/* An empty sub-send sends a carriage return alone. */
		if (chat_send(p, chat_is_empty(send) ? "\\r\\c" : send, sub, timeout_s, t, why,
		    whylen) < 0)
			return -1;
		cur = dash + 1;
	}
}

/* chat_run - run an expect/send script on p */
int
chat_run(struct port *p, char *const script[], size_t n, const struct chat_subst *sub,
    int timeout_s, char *why, size_t whylen)
{
	struct chat_tail t = { .n = 0 };
	size_t i;

	if (why && whylen)
		why[0] = '\0';
	for (i = 0; i < n; i++) {
		int rc = i % 2 == 0 ? chat_expect(p, script[i], sub, timeout_s, &t, why, whylen)
		    : chat_send(p, script[i], sub, timeout_s, &t, why, whylen);
		if (rc < 0) {
			log_debug(LOG_D_CHAT, "chat: failed: %s", why);
			return -1;
		}
	}
	if (why && whylen)
		why[0] = '\0';	/* a sub-expect may have left a reason behind */
	return 0;
}
