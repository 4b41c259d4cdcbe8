/*
 * proto_e.c - the UUCP e protocol (HDB), for reliable 8-bit streams.
 *
 * No checksums and no flow control: the transport provides them.  A
 * command travels as its text and a NUL; a file as its size in decimal
 * padded with NULs to 20 bytes (tepkt.c), then exactly that many bytes.
 * The size must be known before the first byte: the transfer engine sets
 * p->send_size before it sends a file.  Offered only on reliable ports.
 *
 * Trust: the port is hostile: the size header must be digits and NULs,
 * commands are bounded (E_CMDMAX), every read has a deadline, and end of
 * file on the port fails at once.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "modem/port.h"
#include "uucico/proto.h"
#include "uucico/tepkt.h"

#define E_CMDMAX (64 * 1024)	/* longest command we gather */
#define E_DEF_IDLE_S 120	/* seconds of silence before giving up */

struct e_state {
	int sending;		/* a file's size header has been sent */
	long long send_left;	/* bytes of it still to send */
	int receiving;		/* a file's size header has been read */
	long long recv_left;	/* bytes of it still to read */
};

/* e_idle_ms - how long one read may wait */
static int
e_idle_ms(const struct proto *p)
{
	long long s = (long long)p->par.timeout_s * (p->par.retries > 0 ? p->par.retries : 1);

	if (s < E_DEF_IDLE_S)
		s = E_DEF_IDLE_S;
	return (int)(s * 1000);
}

/* e_read - exactly len bytes or -1 */
static int
e_read(struct proto *p, void *buf, size_t len)
{
	ssize_t n = port_read_full(p->port, buf, len, e_idle_ms(p));

	if (n != (ssize_t)len) {
		p->st.timeouts += n == 0;
		log_debug(LOG_D_PROTO, "e: read failed (%s)", n == 0 ? "timeout" : "line closed");
		return -1;
	}
	return 0;
}

/* e_start - nothing to negotiate */
static int
e_start(struct proto *p)
{
	p->st.send_packsize = p->st.recv_packsize = 0;
	p->st.send_window = p->st.recv_window = 0;
	return 0;
}

/* e_sendcmd - the command and its NUL */
static int
e_sendcmd(struct proto *p, const char *cmd)
{
	log_debug(LOG_D_PROTO, "e: sending command \"%s\"", cmd);
	p->st.packets_sent++;
	return port_write(p->port, cmd, strlen(cmd) + 1) < 0 ? -1 : 0;
}

/* e_getcmd - bytes up to a NUL (one at a time: file data may follow) */
static int
e_getcmd(struct proto *p, char *buf, size_t len)
{
	size_t o = 0, total = 0;
	char ch;

	if (len == 0)
		return -1;
	for (;;) {
		if (e_read(p, &ch, 1) < 0)
			return -1;
		if (ch == '\0')
			break;
		if (o + 1 < len)
			buf[o++] = ch;
		if (++total > E_CMDMAX) {
			log_warnx("e: command too long");
			return -1;
		}
	}
	buf[o] = '\0';
	p->st.packets_received++;
	log_debug(LOG_D_PROTO, "e: got command \"%s\"", buf);
	return 0;
}

/* e_senddata - the size header before the first bytes, then the bytes;
 * len 0 checks that exactly the announced size went out */
static int
e_senddata(struct proto *p, const void *buf, size_t len)
{
	struct e_state *e = p->priv;
	char hdr[TEPKT_E_SIZELEN];

	if (!e->sending) {
		if (p->send_size < 0 || tepkt_e_hdr(hdr, p->send_size) < 0) {
			log_warnx("e: the size of the file is not known");
			return -1;
		}
		if (port_write(p->port, hdr, sizeof(hdr)) < 0)
			return -1;
		e->sending = 1;
		e->send_left = p->send_size;
	}
	if (len == 0) {
		e->sending = 0;
		p->send_size = -1;
		if (e->send_left != 0) {
			log_warnx("e: the file changed size while being sent");
			return -1;
		}
		return 0;
	}
	if ((long long)len > e->send_left) {
		log_warnx("e: the file grew while being sent");
		return -1;
	}
	e->send_left -= (long long)len;
	p->st.packets_sent++;
	return port_write(p->port, buf, len) < 0 ? -1 : 0;
}

/* e_getdata - read the size header first, then up to the announced
 * size; 0 once it has all arrived */
static ssize_t
e_getdata(struct proto *p, void *buf, size_t len)
{
	struct e_state *e = p->priv;
	char hdr[TEPKT_E_SIZELEN];
	size_t n;

	if (len == 0)
		return -1;
	if (!e->receiving) {
		if (e_read(p, hdr, sizeof(hdr)) < 0)
			return -1;
		if (tepkt_e_parse_hdr(hdr, &e->recv_left) < 0) {
			log_warnx("e: bad size header");
			return -1;
		}
		e->receiving = 1;
	}
	if (e->recv_left == 0) {
		e->receiving = 0;
		return 0;
	}
	n = (long long)len < e->recv_left ? len : (size_t)e->recv_left;
	if (e_read(p, buf, n) < 0)
		return -1;
	e->recv_left -= (long long)n;
	p->st.packets_received++;
	return (ssize_t)n;
}

/* e_shutdown - nothing to close */
static int
e_shutdown(struct proto *p)
{
	(void)p;
	return 0;
}

/* e_free - release the protocol */
static void
e_free(struct proto *p)
{
	if (p) {
		free(p->priv);
		free(p);
	}
}

static const struct proto_ops e_ops = {
	.name = 'e', .start = e_start, .sendcmd = e_sendcmd, .getcmd = e_getcmd,
	.senddata = e_senddata, .getdata = e_getdata, .shutdown = e_shutdown, .free = e_free,
};

/* proto_e_new - the e protocol over port */
struct proto *
proto_e_new(struct port *port, const struct proto_params *par, int caller)
{
	struct proto *p = calloc(1, sizeof(*p));
	struct e_state *e = calloc(1, sizeof(*e));

	if (!p || !e) {
		free(p);
		free(e);
		return NULL;
	}
	p->ops = &e_ops;
	p->port = port;
	p->caller = caller;
	p->par = *par;
	p->priv = e;
	p->send_size = -1;
	return p;
}
