/*
 * proto_t.c - the UUCP t protocol, for reliable 8-bit streams (TCP).
 *
 * No checksums, no flow control and no retransmission: the transport
 * provides them.  Commands travel NUL-terminated and NUL-padded to a
 * multiple of 512 bytes; file data in blocks of a 4-byte big-endian
 * length and that many bytes, ended by an empty block (tepkt.c frames).
 * Taylor UUCP offers t only on ports it knows to be reliable, and so do
 * we (session.c).
 *
 * Trust: the port is hostile: block lengths are bounded, commands are
 * bounded (T_CMDMAX) and truncated into the caller's buffer, and every
 * read has a deadline; end of file on the port fails at once.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "modem/port.h"
#include "uucico/proto.h"
#include "uucico/tepkt.h"

#define T_CMDMAX (64 * 1024)	/* longest command we gather */
#define T_DEF_IDLE_S 120	/* seconds of silence before giving up */

struct t_state {
	long left;		/* bytes left in the block being read */
};

/* t_idle_ms - how long one read may wait */
static int
t_idle_ms(const struct proto *p)
{
	long long s = (long long)p->par.timeout_s * (p->par.retries > 0 ? p->par.retries : 1);

	if (s < T_DEF_IDLE_S)
		s = T_DEF_IDLE_S;
	return (int)(s * 1000);
}

/* t_read - exactly len bytes or -1 */
static int
t_read(struct proto *p, void *buf, size_t len)
{
	ssize_t n = port_read_full(p->port, buf, len, t_idle_ms(p));

	if (n != (ssize_t)len) {
		p->st.timeouts += n == 0;
		log_debug(LOG_D_PROTO, "t: read failed (%s)", n == 0 ? "timeout" : "line closed");
		return -1;
	}
	p->st.packets_received++;
	return 0;
}

/* t_start - nothing to negotiate */
static int
t_start(struct proto *p)
{
	p->st.send_packsize = p->st.recv_packsize = TEPKT_T_BLOCK;
	p->st.send_window = p->st.recv_window = 0;
	return 0;
}

/* t_sendcmd - the command and NULs up to the next multiple of 512 */
static int
t_sendcmd(struct proto *p, const char *cmd)
{
	size_t c = strlen(cmd), len = tepkt_t_cmdlen(c);
	char *buf = calloc(1, len);
	int r;

	if (!buf)
		return -1;
	memcpy(buf, cmd, c);
	log_debug(LOG_D_PROTO, "t: sending command \"%s\"", cmd);
	r = port_write(p->port, buf, len);
	free(buf);
	p->st.packets_sent++;
	return r < 0 ? -1 : 0;
}

/* t_getcmd - read 512-byte units until one holds the NUL */
static int
t_getcmd(struct proto *p, char *buf, size_t len)
{
	unsigned char unit[TEPKT_T_CMDUNIT];
	size_t o = 0, total = 0;

	if (len == 0)
		return -1;
	for (;;) {
		unsigned char *nul;
		size_t n;

		if (t_read(p, unit, sizeof(unit)) < 0)
			return -1;
		nul = memchr(unit, '\0', sizeof(unit));
		n = nul ? (size_t)(nul - unit) : sizeof(unit);
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(buf + o, unit, n);
		o += n;
		total += sizeof(unit);
		if (nul)
			break;
		if (total > T_CMDMAX) {
			log_warnx("t: command too long");
			return -1;
		}
	}
	buf[o] = '\0';
	log_debug(LOG_D_PROTO, "t: got command \"%s\"", buf);
	return 0;
}

/* t_senddata - blocks of at most 1024 bytes; len 0 sends the empty block */
static int
t_senddata(struct proto *p, const void *buf, size_t len)
{
	unsigned char blk[4 + TEPKT_T_BLOCK];
	const unsigned char *b = buf;

	do {
		size_t n = len < TEPKT_T_BLOCK ? len : TEPKT_T_BLOCK;
		tepkt_t_hdr(blk, (unsigned long)n);
		if (n)
			memcpy(blk + 4, b, n);
		if (port_write(p->port, blk, 4 + n) < 0)
			return -1;
		p->st.packets_sent++;
		b += n;
		len -= n;
	} while (len > 0);
	return 0;
}

/* t_getdata - bytes of the current block, reading the next header when
 * one is used up; 0 at the empty block */
static ssize_t
t_getdata(struct proto *p, void *buf, size_t len)
{
	struct t_state *t = p->priv;
	unsigned char hdr[4];
	size_t n;

	if (len == 0)
		return -1;
	if (t->left == 0) {
		if (t_read(p, hdr, sizeof(hdr)) < 0)
			return -1;
		t->left = tepkt_t_parse_hdr(hdr);
		if (t->left < 0) {
			log_warnx("t: block too large");
			t->left = 0;
			return -1;
		}
		if (t->left == 0)
			return 0;
	}
	n = len < (size_t)t->left ? len : (size_t)t->left;
	if (t_read(p, buf, n) < 0)
		return -1;
	t->left -= (long)n;
	return (ssize_t)n;
}

/* t_shutdown - nothing to close */
static int
t_shutdown(struct proto *p)
{
	(void)p;
	return 0;
}

/* t_free - release the protocol */
static void
t_free(struct proto *p)
{
	if (p) {
		free(p->priv);
		free(p);
	}
}

static const struct proto_ops t_ops = {
	.name = 't', .start = t_start, .sendcmd = t_sendcmd, .getcmd = t_getcmd,
	.senddata = t_senddata, .getdata = t_getdata, .shutdown = t_shutdown, .free = t_free,
};

/* proto_t_new - the t protocol over port */
struct proto *
proto_t_new(struct port *port, const struct proto_params *par, int caller)
{
	struct proto *p = calloc(1, sizeof(*p));
	struct t_state *t = calloc(1, sizeof(*t));

	if (!p || !t) {
		free(p);
		free(t);
		return NULL;
	}
	p->ops = &t_ops;
	p->port = port;
	p->caller = caller;
	p->par = *par;
	p->priv = t;
	p->send_size = -1;
	return p;
}
