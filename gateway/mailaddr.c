/*
 * mailaddr.c - RFC 976 address parsing: bang paths, domains, the %-hack,
 * into one canonical route (see mailaddr.h for the rules).
 *
 * Trust: the address text is hostile.  It is bounded (MAILADDR_MAX), its
 * bytes are checked against a small allowed set before anything else,
 * every host name is validated, the hop count is capped, and every copy
 * into a fixed buffer is checked.  No I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/mailaddr.h"
#include "lib/conf.h"
#include "lib/util.h"

#define MAILADDR_DOMAIN_MAX 255

/* mailaddr_fail - format a reason into err (when given); returns -1 */
static int __attribute__((format(printf, 3, 4)))
mailaddr_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* mailaddr_ctx_from_conf - fill ctx from a configuration's keywords */
void
mailaddr_ctx_from_conf(struct mailaddr_ctx *ctx, const struct conf *c)
{
	size_t i;

	memset(ctx, 0, sizeof(*ctx));
	ctx->nodename = c->nodename;
	for (i = 0; i < c->nextra; i++) {
		const char *k = c->extra[i].key, *v = c->extra[i].value;

		if (!strcmp(k, "uucp-domain") && ctx->nuucp_domains < MAILADDR_NAMES_MAX)
			ctx->uucp_domains[ctx->nuucp_domains++] = v;
		else if (!strcmp(k, "local-domain") && ctx->nlocal_domains < MAILADDR_NAMES_MAX)
			ctx->local_domains[ctx->nlocal_domains++] = v;
	}
	if (ctx->nuucp_domains == 0)
		ctx->uucp_domains[ctx->nuucp_domains++] = "uucp";
	ctx->gateway_domain = conf_get(c, "gateway-domain");
}

/* mailaddr_char_ok - whether byte c may appear in an address */
static int
mailaddr_char_ok(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-/=?^_`{|}~.@", c) != NULL;
}

/* mailaddr_host_is_valid - whether s is a usable UUCP host name */
int
mailaddr_host_is_valid(const char *s)
{
	size_t i, n = strnlen(s, MAILADDR_HOST_MAX);

	if (n == 0 || n >= MAILADDR_HOST_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
		if (c == '.' && (s[i + 1] == '.' || s[i + 1] == '\0'))
			return 0;
	}
	return 1;
}

/* mailaddr_user_is_valid - whether s is a safe local mailbox name */
int
mailaddr_user_is_valid(const char *s)
{
	size_t i, n = strnlen(s, 33);

	if (n == 0 || n > 32 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+'))
			return 0;
	}
	return 1;
}

/* mailaddr_domain_ok - whether s is a dot-separated run of non-empty labels */
static int
mailaddr_domain_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > MAILADDR_DOMAIN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/* mailaddr_suffix - if dom is "H.d" (case-insensitive d), return H's length, else 0 */
static size_t
mailaddr_suffix(const char *dom, const char *d)
{
	size_t n = strlen(dom), m = strlen(d);

	if (m == 0 || n < m + 2 || dom[n - m - 1] != '.' || strcasecmp(dom + n - m, d))
		return 0;
	return n - m - 1;
}

/* mailaddr_is_me - whether domain dom names this node */
static int
mailaddr_is_me(const struct mailaddr_ctx *ctx, const char *dom)
{
	size_t i, h;

	if (ctx->nodename && !strcasecmp(dom, ctx->nodename))
		return 1;
	if (ctx->gateway_domain && !strcasecmp(dom, ctx->gateway_domain))
		return 1;
	for (i = 0; i < ctx->nlocal_domains; i++)
		if (!strcasecmp(dom, ctx->local_domains[i]))
			return 1;
	for (i = 0; ctx->nodename && i < ctx->nuucp_domains; i++) {
		h = mailaddr_suffix(dom, ctx->uucp_domains[i]);
		if (h && h == strlen(ctx->nodename) && !strncasecmp(dom, ctx->nodename, h))
			return 1;
	}
	return 0;
}

/* mailaddr_uucp_host - the UUCP host a domain names (H.uucp or bare H)
 * copied into host; 0, or -1 when it is an Internet domain */
static int
mailaddr_uucp_host(const struct mailaddr_ctx *ctx, const char *dom, char *host)
{
	size_t i, h;

	if (!strchr(dom, '.'))
		return str_copy(host, dom, MAILADDR_HOST_MAX);
	for (i = 0; i < ctx->nuucp_domains; i++) {
		h = mailaddr_suffix(dom, ctx->uucp_domains[i]);
		if (h && h < MAILADDR_HOST_MAX && !memchr(dom, '.', h)) {
			memcpy(host, dom, h);
			host[h] = '\0';
			return 0;
		}
	}
	return -1;
}

/* mailaddr_push_hop - append host to the route (a leading self is dropped) */
static int
mailaddr_push_hop(const struct mailaddr_ctx *ctx, struct mailaddr *a, const char *host,
    char *err, size_t errlen)
{
	if (!mailaddr_host_is_valid(host))
		return mailaddr_fail(err, errlen, "bad host name in route");
	if (a->nhops == 0 && ctx->nodename && !strcasecmp(host, ctx->nodename))
		return 0;
	if (a->nhops >= MAILADDR_HOPS_MAX)
		return mailaddr_fail(err, errlen, "too many hops in route");
	str_copy(a->hops[a->nhops++], host, MAILADDR_HOST_MAX);
	return 0;
}

/* mailaddr_prepare - copy text into buf without <>, check its bytes */
static int
mailaddr_prepare(const char *text, char *buf, char *err, size_t errlen)
{
	size_t n = strnlen(text, MAILADDR_MAX), i;

	if (n >= MAILADDR_MAX)
		return mailaddr_fail(err, errlen, "address too long");
	if (n >= 2 && text[0] == '<' && text[n - 1] == '>') {
		text++;
		n -= 2;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (n == 0)
		return mailaddr_fail(err, errlen, "empty address");
	for (i = 0; i < n; i++)
		if (!mailaddr_char_ok((unsigned char)buf[i]))
			return mailaddr_fail(err, errlen, "character 0x%02x not allowed in address",
			    (unsigned char)buf[i]);
	if (buf[0] == '@')
		return mailaddr_fail(err, errlen, "source routes are not accepted");
	return 0;
}

/* mailaddr_domain_step - handle "local@dom"; *sp moves on to what is left.
 * 1 when the route is complete (Internet recipient), 0 to go on, -1 */
static int
mailaddr_domain_step(const struct mailaddr_ctx *ctx, char **sp, char *at, struct mailaddr *out,
    char *err, size_t errlen)
{
	char *local = *sp, *dom = at + 1, *pct, host[MAILADDR_HOST_MAX];
	size_t i;

	*at = '\0';
	if (!*local)
		return mailaddr_fail(err, errlen, "empty local part");
	if (!mailaddr_domain_ok(dom))
		return mailaddr_fail(err, errlen, "bad domain");
	if (mailaddr_is_me(ctx, dom)) {
		if ((pct = strrchr(local, '%')))
			*pct = '@';
		return 0;
	}
	if (mailaddr_uucp_host(ctx, dom, host) == 0)
		return mailaddr_push_hop(ctx, out, host, err, errlen);
	for (i = 0; dom[i]; i++)
		if (dom[i] >= 'A' && dom[i] <= 'Z')
			dom[i] = (char)(dom[i] - 'A' + 'a');
	if (str_fmt(out->user, sizeof(out->user), "%s@%s", local, dom) < 0)
		return mailaddr_fail(err, errlen, "address too long");
	return 1;
}

/* mailaddr_parse - turn an address into a canonical route */
int
mailaddr_parse(const struct mailaddr_ctx *ctx, const char *text, int flags,
    struct mailaddr *out, char *err, size_t errlen)
{
	char buf[MAILADDR_MAX], *s = buf, *bang, *at, *pct;
	int r;

	memset(out, 0, sizeof(*out));
	if (mailaddr_prepare(text, buf, err, errlen) < 0)
		return -1;
	for (;;) {
		bang = strchr(s, '!');
		at = strchr(s, '@');
		if (at && strchr(at + 1, '@'))
			return mailaddr_fail(err, errlen, "more than one '@'");
		if (bang && (!(flags & MAILADDR_AT_FIRST) || !at)) {
			if (at && at < bang)
				return mailaddr_fail(err, errlen, "'@' before '!'");
			*bang = '\0';
			if (mailaddr_push_hop(ctx, out, s, err, errlen) < 0)
				return -1;
			s = bang + 1;
			continue;
		}
		if (at) {
			if ((r = mailaddr_domain_step(ctx, &s, at, out, err, errlen)) != 0)
				return r < 0 ? -1 : 0;
			continue;
		}
		if ((pct = strrchr(s, '%'))) {
			*pct = '@';
			continue;
		}
		if (!*s)
			return mailaddr_fail(err, errlen, "empty user");
		str_copy(out->user, s, sizeof(out->user));
		return 0;
	}
}

/* mailaddr_format - the route from hop from onwards as a bang path */
int
mailaddr_format(const struct mailaddr *a, size_t from, char *dst, size_t n)
{
	size_t i, len = 0, k;

	if (from > a->nhops || n == 0)
		return -1;
	dst[0] = '\0';
	for (i = from; i < a->nhops; i++) {
		k = strlen(a->hops[i]);
		if (len + k + 1 >= n)
			return -1;
		memcpy(dst + len, a->hops[i], k);
		dst[len + k] = '!';
		len += k + 1;
	}
	k = strlen(a->user);
	if (len + k >= n)
		return -1;
	memcpy(dst + len, a->user, k + 1);
	return 0;
}

/* mailaddr_is_local - whether a is a user of this node */
int
mailaddr_is_local(const struct mailaddr *a)
{
	return a->nhops == 0 && a->user[0] && !strchr(a->user, '@');
}

/* mailaddr_is_null_sender - whether a return path names nobody */
int
mailaddr_is_null_sender(const char *path)
{
	const char *p = strrchr(path, '!'), *at;
	size_t n;

	if (!*path || !strcmp(path, "<>"))
		return 1;
	p = p ? p + 1 : path;
	if (*p == '<')
		p++;
	at = strchr(p, '@');
	n = at ? (size_t)(at - p) : strcspn(p, ">");
	return n == 13 && !strncasecmp(p, "MAILER-DAEMON", 13);
}

/* mailaddr_in_uucp - whether an address (Internet reading) stays in UUCP */
int
mailaddr_in_uucp(const struct mailaddr_ctx *ctx, const char *text,
    int (*is_neighbour)(const char *hop, void *arg), void *arg, struct mailaddr *out)
{
	struct mailaddr a;

	if (mailaddr_parse(ctx, text, MAILADDR_AT_FIRST, &a, NULL, 0) < 0)
		return 0;
	if (strchr(a.user, '@') || strchr(a.user, '%'))
		return 0;
	if (a.nhops == 0 ? !mailaddr_user_is_valid(a.user) :
	    !(is_neighbour && is_neighbour(a.hops[0], arg)))
		return 0;
	if (out)
		*out = a;
	return 1;
}

/* mailaddr_rp_to_smtp - a bang return path as an RFC 5321 reverse-path */
int
mailaddr_rp_to_smtp(const struct mailaddr_ctx *ctx, const char *bang, int style,
    char *dst, size_t n, char *err, size_t errlen)
{
	struct mailaddr a;
	char path[MAILADDR_MAX];
	const char *host, *dom = ctx->nuucp_domains ? ctx->uucp_domains[0] : "uucp";
	int r;

	if (mailaddr_is_null_sender(bang))
		return n ? (dst[0] = '\0', 0) : -1;
	if (mailaddr_parse(ctx, bang, MAILADDR_BANG_FIRST, &a, err, errlen) < 0)
		return -1;
	if (strchr(a.user, '@'))
		r = str_copy(dst, a.user, n);
	else if (style == MAILADDR_RP_GATEWAY) {
		if (!ctx->gateway_domain)
			return mailaddr_fail(err, errlen, "no gateway-domain configured");
		if (mailaddr_format(&a, 0, path, sizeof(path)) < 0)
			return mailaddr_fail(err, errlen, "address too long");
		r = str_fmt(dst, n, "%s@%s", path, ctx->gateway_domain);
	} else {
		host = a.nhops ? a.hops[a.nhops - 1] : ctx->nodename;
		if (!host)
			return mailaddr_fail(err, errlen, "no node name");
		if (strchr(host, '.'))
			r = str_fmt(dst, n, "%s@%s", a.user, host);
		else
			r = str_fmt(dst, n, "%s@%s.%s", a.user, host, dom);
	}
	if (r < 0)
		return mailaddr_fail(err, errlen, "address too long");
	return 0;
}

/* mailaddr_rp_from_smtp - an RFC 5321 reverse-path as a bang return path */
int
mailaddr_rp_from_smtp(const struct mailaddr_ctx *ctx, const char *path, char *dst,
    size_t n, char *err, size_t errlen)
{
	struct mailaddr a;

	if (!*path || !strcmp(path, "<>"))
		return n ? (dst[0] = '\0', 0) : -1;
	if (mailaddr_parse(ctx, path, MAILADDR_AT_FIRST, &a, err, errlen) < 0)
		return -1;
	if (mailaddr_format(&a, 0, dst, n) < 0)
		return mailaddr_fail(err, errlen, "address too long");
	return 0;
}
