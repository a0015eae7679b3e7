/*
 * zprog: compresses and uncompresses a few buffers with zlib's compress2
 * and uncompress, checks that the round trip gives back the input and
 * that the bytes past what zlib wrote stay as they were, and prints sizes
 * and CRCs.  A plain zlib program; tests/shim/zlib.sh runs it with the two
 * functions isolated (tests/shim/zlib.conf) and without.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define GUARD	64

static int failures;

/* Whether the GUARD bytes at p are all 0xa5. */
static int
guard_ok(const unsigned char *p)
{
	int i;

	for (i = 0; i < GUARD; i++)
		if (p[i] != 0xa5)
			return 0;
	return 1;
}

static void
round_trip(const char *name, const unsigned char *in, unsigned long len,
    int level)
{
	unsigned long bound = compressBound(len), zlen = bound, olen = len + 16;
	unsigned char *z = malloc(bound + GUARD), *out = malloc(len + 16 +
	    GUARD);
	int rc, rc2;

	memset(z, 0xa5, bound + GUARD);
	memset(out, 0xa5, len + 16 + GUARD);
	rc = compress2(z, &zlen, in, len, level);
	rc2 = uncompress(out, &olen, z, zlen);
	printf("%-10s level %d: %7lu -> %7lu bytes (crc %08lx), compress2 %d, "
	    "uncompress %d, %lu bytes back, %s, guards %s\n", name, level, len,
	    zlen, crc32(0, z, (unsigned)zlen), rc, rc2, olen,
	    olen == len && memcmp(in, out, len) == 0 ? "same" : "DIFFERENT",
	    guard_ok(z + zlen) && guard_ok(out + olen) &&
	    out[len] == 0xa5 ? "intact" : "CHANGED");
	if (rc != Z_OK || rc2 != Z_OK || olen != len ||
	    memcmp(in, out, len) != 0)
		failures++;
	free(z);
	free(out);
}

/* The errors zlib reports must come back as they are. */
static void
errors(const unsigned char *in, unsigned long len)
{
	unsigned char z[64 + GUARD], out[256];
	unsigned long zlen = 64, olen;
	int rc;

	memset(z, 0xa5, sizeof z);
	rc = compress2(z, &zlen, in, len, 9);
	printf("compress2 into 64 bytes: %d (Z_BUF_ERROR is %d), destLen %lu, "
	    "guard %s\n", rc, Z_BUF_ERROR, zlen, guard_ok(z + 64) ? "intact" :
	    "CHANGED");
	zlen = sizeof z;
	rc = compress2(z, &zlen, (const unsigned char *)"abcabcabcabc", 12, 9);
	z[zlen / 2] ^= 0x5a;
	z[2] ^= 0xff;
	olen = sizeof out;
	rc = uncompress(out, &olen, z, zlen);
	printf("uncompress of corrupt data: %d (Z_DATA_ERROR is %d)\n", rc,
	    Z_DATA_ERROR);
	zlen = sizeof z;
	compress2(z, &zlen, in, 200, 9);
	olen = 100;
	rc = uncompress(out, &olen, z, zlen);
	printf("uncompress of 200 bytes into 100: %d, destLen %lu\n", rc,
	    olen);
}

int
main(void)
{
	static const char text[] = "It is a truth universally acknowledged, "
	    "that a single man in possession of a good fortune, must be in "
	    "want of a wife.\n";
	unsigned long i, n = 1 << 20, seed = 12345;
	unsigned char *big = malloc(n), *noise = malloc(100000);

	for (i = 0; i < n; i++)
		big[i] = (unsigned char)text[i % (sizeof text - 1)];
	for (i = 0; i < 100000; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		noise[i] = (unsigned char)(seed >> 56);
	}
	round_trip("empty", (const unsigned char *)"", 0, 6);
	round_trip("short", (const unsigned char *)"hello", 5, 6);
	round_trip("text", big, 1000, 1);
	round_trip("text", big, 1000, 9);
	round_trip("noise", noise, 100000, 6);
	round_trip("1 MiB", big, n, 6);
	errors(noise, 1000);
	free(big);
	free(noise);
	printf("%d failures\n", failures);
	return failures != 0;
}
