/*
 * proto.c - choosing a transfer protocol by its letter, and what Brigade
 * offers on a port.
 *
 * The letter comes from the peer's P/U handshake string; anything we do
 * not speak gives NULL, never a guess.  t and e check nothing themselves,
 * so they are offered only on ports known to be reliable (TCP), as Taylor
 * UUCP does.  On other lines i comes first: its CRC-32 catches what g's
 * checksum misses, and it streams without a round trip per file.
 */
#include <stddef.h>
#include <string.h>

#include "uucico/proto.h"

/* proto_new - the protocol named c, or NULL when unknown */
struct proto *
proto_new(char c, struct port *port, const struct proto_params *par, int caller)
{
	switch (c) {
	case 'g':
		return proto_g_new(port, par, caller);
	case 'G':
		return proto_bigg_new(port, par, caller);
	case 't':
		return proto_t_new(port, par, caller);
	case 'e':
		return proto_e_new(port, par, caller);
	case 'i':
		return proto_i_new(port, par, caller);
	default:
		return NULL;
	}
}

/* proto_supported - every protocol letter we speak */
const char *
proto_supported(void)
{
	return "teigG";
}

/* proto_default - what we offer on a port, best first */
const char *
proto_default(int reliable)
{
	return reliable ? "teigG" : "igG";
}

/* proto_needs_reliable - t and e trust the transport */
int
proto_needs_reliable(char c)
{
	return c == 't' || c == 'e';
}

/* proto_integrity - what checks the data of protocol c */
const char *
proto_integrity(char c)
{
	switch (c) {
	case 'g':
	case 'G':
		return "g-checksum";
	case 't':
	case 'e':
		return "transport";
	case 'i':
		return "i-crc32";
	default:
		return "none";
	}
}
