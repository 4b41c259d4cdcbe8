/*
 * mailaddr.h - mail addresses for the UUCP world, per RFC 976: bang paths
 * (a!b!user), domain addresses (user@host.uucp, user@example.org), the
 * %-hack (user%host@gw) and mixtures of them, all turned into one
 * canonical route: the UUCP hops to take, in order, and the final
 * recipient (a plain user name, or user@domain when the mail leaves the
 * UUCP world at the end of the hops).
 *
 * Everything here is pure: no I/O, no globals, no allocation except in
 * mailaddr_ctx_from_conf (which only points into the configuration).
 * Input is hostile: bounded in length and hop count, restricted to the
 * characters of an RFC 5322 dot-atom plus '!' and '%'; quoted strings,
 * comments, source routes (@a:b@c), address literals ([1.2.3.4]),
 * whitespace and control bytes are refused, never interpreted.
 *
 * The precedence of '!' and '@' in a mixed address such as a!b@c differs
 * between the worlds (RFC 976 section 2: a!(b@c) for UUCP, (a!b)@c for
 * the Internet).  MAILADDR_BANG_FIRST (what rmail uses for its arguments)
 * takes the UUCP reading: send to a, which is handed b@c.  MAILADDR_AT_FIRST
 * (what an SMTP server uses for RCPT TO and MAIL FROM) takes the Internet
 * reading: the domain c decides, and only when c is this node does the
 * local part a!b become a route.
 */
#ifndef BRIGADE_MAILADDR_H
#define BRIGADE_MAILADDR_H

#include <stddef.h>

#define MAILADDR_MAX 512	/* longest address text accepted, with NUL */
#define MAILADDR_HOST_MAX 64	/* longest UUCP host name, with NUL */
#define MAILADDR_HOPS_MAX 32	/* most hops in one route */
#define MAILADDR_NAMES_MAX 16	/* most domains of each kind in a context */

/* Parse flags: exactly one of the two precedences. */
#define MAILADDR_BANG_FIRST 0x0	/* RFC 976 / UUCP: a!b@c is a!(b@c) */
#define MAILADDR_AT_FIRST 0x1	/* RFC 5321 / Internet: a!b@c is (a!b)@c */

/* Styles of RFC 5321 reverse-path made from a bang path. */
#define MAILADDR_RP_GATEWAY 0	/* a!b!user -> a!b!user@gateway-domain */
#define MAILADDR_RP_UUCP 1	/* a!b!user -> user@b.uucp */

/* What the parser knows about this node.  The strings are not owned. */
struct mailaddr_ctx {
	const char *nodename;		/* this node's UUCP name */
	const char *uucp_domains[MAILADDR_NAMES_MAX]; /* pseudo-domains whose single
					   label below them is a UUCP host ("uucp") */
	size_t nuucp_domains;
	const char *local_domains[MAILADDR_NAMES_MAX]; /* other names that mean this
					   node ("gw.example.org") */
	size_t nlocal_domains;
	const char *gateway_domain;	/* used by MAILADDR_RP_GATEWAY; NULL: none */
};

/* A canonical route: hops[0] is the next hop, then hops[1]...; user is
 * the final recipient.  nhops == 0 and no '@' in user: a local user of
 * this node.  An '@' in user: an Internet address, reached after the
 * hops (or directly, when nhops == 0).  Host names keep their case;
 * domains are compared without case. */
struct mailaddr {
	char hops[MAILADDR_HOPS_MAX][MAILADDR_HOST_MAX];
	size_t nhops;
	char user[MAILADDR_MAX];
};

/* mailaddr_ctx_from_conf is declared with struct conf (lib/conf.h); the
 * other functions do not need it. */
struct conf;

/* mailaddr_ctx_from_conf - fill ctx from a loaded configuration: nodename;
 * every "uucp-domain" line (default "uucp"); every "local-domain" line;
 * "gateway-domain" (default none).  Pointers into c, valid while c is.
 * Names beyond MAILADDR_NAMES_MAX are ignored. */
void mailaddr_ctx_from_conf(struct mailaddr_ctx *ctx, const struct conf *c);

/* mailaddr_parse - turn text (NUL-terminated; one surrounding <...> is
 * removed) into a route in out, with flags MAILADDR_BANG_FIRST or
 * MAILADDR_AT_FIRST.  The rules, applied until only a user is left:
 *   - "host!rest" (bang first, or no '@' left): host is the next hop.
 *   - "local@domain": when domain is this node (nodename, nodename.D for a
 *     UUCP domain D, or a local domain), continue with local, where the
 *     rightmost '%' becomes '@' (the %-hack); when domain is H.D for a
 *     UUCP domain D, or a bare name H without dots, H is the next hop;
 *     otherwise user@domain is the final, Internet recipient.
 *   - "user%host" with no '@' or '!': the rightmost '%' becomes '@'.
 * A leading hop naming this node is dropped (me!a!user is a!user).
 * Returns 0, or -1 with the reason in err (which may be NULL). */
int mailaddr_parse(const struct mailaddr_ctx *ctx, const char *text, int flags,
    struct mailaddr *out, char *err, size_t errlen);

/* mailaddr_format - write the route from hop index from onwards as a bang
 * path into dst: hops[from]!...!user (from == nhops gives the user).
 * mailaddr_format(a, 1, ...) is what the next hop must be given.  0, or
 * -1 when from > nhops or dst is too small. */
int mailaddr_format(const struct mailaddr *a, size_t from, char *dst, size_t n);

/* mailaddr_is_local - whether a is a user of this node (no hops, no '@'). */
int mailaddr_is_local(const struct mailaddr *a);

/* mailaddr_is_null_sender - whether a return path names nobody to bounce
 * to: empty, "<>", or a final user MAILER-DAEMON (any case, any route). */
int mailaddr_is_null_sender(const char *path);

/* mailaddr_host_is_valid - whether s is usable as a UUCP host name: 1-63
 * bytes of letters, digits, '-', '_' and '.', not starting with '.' or
 * '-'. */
int mailaddr_host_is_valid(const char *s);

/* mailaddr_user_is_valid - whether s is usable as a local mailbox name:
 * 1-32 bytes of letters, digits, '.', '_', '-' and '+', not starting with
 * '.' or '-' (so never "..", never a '/'). */
int mailaddr_user_is_valid(const char *s);

/* mailaddr_in_uucp - for the SMTP gateway: whether text, read the Internet
 * way (MAILADDR_AT_FIRST), stays inside the UUCP world: it is a local user
 * of this node, or a route whose final recipient has no '@' and whose
 * first hop is_neighbour(hop, arg) accepts (a known neighbour, or a host
 * with a route).  '%' and '!' that would lead back to an Internet domain
 * never count.  1 inside, 0 outside or unparsable.  With out non-NULL
 * the route is stored there. */
int mailaddr_in_uucp(const struct mailaddr_ctx *ctx, const char *text,
    int (*is_neighbour)(const char *hop, void *arg), void *arg, struct mailaddr *out);

/* mailaddr_rp_to_smtp - a bang return path (as rmail builds it) as an RFC
 * 5321 reverse-path without angle brackets, in style MAILADDR_RP_GATEWAY
 * (a!b!user@gateway-domain; needs ctx->gateway_domain) or MAILADDR_RP_UUCP
 * (user@b.D where D is the first UUCP domain, user@nodename.D for a local
 * user).  A return path whose final recipient is already user@domain
 * gives that address (the Internet can reach it directly).  A null
 * sender gives "".  0, or -1 with err. */
int mailaddr_rp_to_smtp(const struct mailaddr_ctx *ctx, const char *bang, int style,
    char *dst, size_t n, char *err, size_t errlen);

/* mailaddr_rp_from_smtp - the reverse: an RFC 5321 reverse-path (with or
 * without <>) as the bang return path rmail and UUCP neighbours use:
 * a!b!user@gateway-domain -> a!b!user, user@b.uucp -> b!user, an Internet
 * address stays user@domain, <> gives "".  0, or -1 with err. */
int mailaddr_rp_from_smtp(const struct mailaddr_ctx *ctx, const char *path, char *dst,
    size_t n, char *err, size_t errlen);

#endif
