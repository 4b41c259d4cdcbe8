/*
 * proto.c - choosing a transfer protocol by its letter.
 *
 * The letter comes from the peer's P/U handshake string; anything we do
 * not speak gives NULL, never a guess.
 */
#include <stddef.h>

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
	default:
		return NULL;
	}
}

/* proto_supported - the protocol letters we speak, best first */
const char *
proto_supported(void)
{
	return "g";
}
