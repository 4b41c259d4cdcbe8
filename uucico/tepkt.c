/*
 * tepkt.c - pure framing functions of the t and e protocols (tepkt.h).
 * Every input is treated as hostile: nothing is read past the fixed
 * header sizes and out-of-range values are refused.
 */
#include <string.h>

#include "uucico/tepkt.h"

/* tepkt_t_cmdlen - the 512-byte units that hold c characters and a NUL */
size_t
tepkt_t_cmdlen(size_t c)
{
	return (c / TEPKT_T_CMDUNIT + 1) * TEPKT_T_CMDUNIT;
}

/* tepkt_t_hdr - a block length, most significant byte first */
void
tepkt_t_hdr(unsigned char out[4], unsigned long n)
{
	out[0] = (unsigned char)(n >> 24);
	out[1] = (unsigned char)(n >> 16);
	out[2] = (unsigned char)(n >> 8);
	out[3] = (unsigned char)n;
}

/* tepkt_t_parse_hdr - a block length, or -1 when too large */
long
tepkt_t_parse_hdr(const unsigned char in[4])
{
	unsigned long n = ((unsigned long)in[0] << 24) | ((unsigned long)in[1] << 16) |
	    ((unsigned long)in[2] << 8) | in[3];

	return n > TEPKT_T_BLOCKMAX ? -1 : (long)n;
}

/* tepkt_e_hdr - the size in decimal, NUL-padded to 20 bytes */
int
tepkt_e_hdr(char out[TEPKT_E_SIZELEN], long long size)
{
	char digits[TEPKT_E_SIZELEN];
	int n = 0;

	if (size < 0)
		return -1;
	do {
		digits[n++] = (char)('0' + size % 10);
		size /= 10;
	} while (size > 0 && n < TEPKT_E_SIZELEN - 1);
	if (size > 0)
		return -1;
	memset(out, 0, TEPKT_E_SIZELEN);
	for (int i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	return 0;
}

/* tepkt_e_parse_hdr - digits then NULs, at most 18 digits */
int
tepkt_e_parse_hdr(const char in[TEPKT_E_SIZELEN], long long *size)
{
	long long v = 0;
	int i = 0;

	while (i < TEPKT_E_SIZELEN && in[i] >= '0' && in[i] <= '9') {
		if (i >= 18)
			return -1;
		v = v * 10 + (in[i] - '0');
		i++;
	}
	if (i == 0)
		return -1;
	for (; i < TEPKT_E_SIZELEN; i++)
		if (in[i] != '\0')
			return -1;
	*size = v;
	return 0;
}
