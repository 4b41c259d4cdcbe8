/*
 * tepkt.h - the framing of the t and e protocols, as pure functions.
 *
 *   t: a command is sent NUL-terminated and NUL-padded to the smallest
 *      multiple of 512 that holds it; file data goes in blocks of at most
 *      1024 bytes, each after a 4-byte big-endian length; a block of
 *      length 0 ends the file.
 *   e: a command is sent NUL-terminated; a file is preceded by its size
 *      in ASCII decimal padded with NULs to 20 bytes, then all its bytes.
 *
 * Input is hostile: lengths and sizes are bounded and checked.
 */
#ifndef BRIGADE_TEPKT_H
#define BRIGADE_TEPKT_H

#include <stddef.h>

#define TEPKT_T_CMDUNIT 512	/* t commands come in units of this */
#define TEPKT_T_BLOCK 1024	/* t data bytes per block we send */
#define TEPKT_T_BLOCKMAX 65536	/* largest t block we accept */
#define TEPKT_E_SIZELEN 20	/* bytes of an e size header */

/* tepkt_t_cmdlen - bytes on the wire for a t command of c characters. */
size_t tepkt_t_cmdlen(size_t c);

/* tepkt_t_hdr - encode a t block length n into out[4]. */
void tepkt_t_hdr(unsigned char out[4], unsigned long n);

/* tepkt_t_parse_hdr - decode a t block length; -1 when over the limit. */
long tepkt_t_parse_hdr(const unsigned char in[4]);

/* tepkt_e_hdr - encode an e size header; 0, or -1 when size < 0. */
int tepkt_e_hdr(char out[TEPKT_E_SIZELEN], long long size);

/* tepkt_e_parse_hdr - decode an e size header: decimal digits, then only
 * NULs; 0 with *size set, or -1. */
int tepkt_e_parse_hdr(const char in[TEPKT_E_SIZELEN], long long *size);

#endif
