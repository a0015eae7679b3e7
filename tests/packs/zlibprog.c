/*
 * Calls every entry of packs/zlib.conf that is not refused, and bzip2's
 * buffer functions (packs/bzip2.conf) when built with -DWITH_BZIP2, and
 * prints what they give back: the output must be the same with the packs
 * isolated and without.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#ifdef WITH_BZIP2
#include <bzlib.h>
#endif

static unsigned char text[4000];
static unsigned char packed[8192], unpacked[8192];

static void
dump(const char *what, int r, const unsigned char *b, unsigned long n)
{
	unsigned long i, sum = 0;

	for (i = 0; i < n; i++)
		sum = sum * 31 + b[i];
	printf("%s: %d, %lu bytes, sum %lx\n", what, r, n, sum);
}

static void
zlib(void)
{
	unsigned long n, m, src;
	int r, level;

	n = sizeof(packed);
	r = compress(packed, &n, text, sizeof(text));
	dump("compress", r, packed, n);
	for (level = 0; level <= 9; level += 3) {
		n = sizeof(packed);
		r = compress2(packed, &n, text, sizeof(text), level);
		dump("compress2", r, packed, n);
	}
	printf("compressBound %lu\n", compressBound(sizeof(text)));
	m = sizeof(unpacked);
	r = uncompress(unpacked, &m, packed, n);
	dump("uncompress", r, unpacked, m);
	printf("round trip %s\n", m == sizeof(text) &&
	    memcmp(unpacked, text, m) == 0 ? "ok" : "BAD");
	m = 10;
	r = uncompress(unpacked, &m, packed, n);
	printf("uncompress short: %d %lu\n", r, m);
	m = sizeof(unpacked);
	src = n + 5;
	r = uncompress2(unpacked, &m, packed, &src);
	dump("uncompress2", r, unpacked, m);
	printf("  used %lu of %lu\n", src, n + 5);
	m = sizeof(unpacked);
	packed[3] ^= 0xff;
	r = uncompress(unpacked, &m, packed, n);
	printf("uncompress corrupt: %d\n", r);
	printf("crc32 %lx %lx\n", crc32(0, NULL, 0),
	    crc32(crc32(0, NULL, 0), text, sizeof(text)));
	printf("crc32_z %lx\n", crc32_z(0, text, 1000));
	printf("adler32 %lx %lx\n", adler32(1, NULL, 0),
	    adler32(adler32(0, NULL, 0), text, sizeof(text)));
	printf("adler32_z %lx\n", adler32_z(1, text, 1000));
	printf("crc32_combine %lx\n", crc32_combine(crc32(0, text, 1000),
	    crc32(0, text + 1000, 3000), 3000));
	printf("adler32_combine %lx\n", adler32_combine(adler32(1, text,
	    1000), adler32(1, text + 1000, 3000), 3000));
}

#ifdef WITH_BZIP2
static void
bzip2(void)
{
	unsigned int n = sizeof(packed), m = sizeof(unpacked);
	int r;

	r = BZ2_bzBuffToBuffCompress((char *)packed, &n, (char *)text,
	    sizeof(text), 9, 0, 0);
	dump("BZ2_bzBuffToBuffCompress", r, packed, n);
	r = BZ2_bzBuffToBuffDecompress((char *)unpacked, &m, (char *)packed,
	    n, 0, 0);
	dump("BZ2_bzBuffToBuffDecompress", r, unpacked, m);
	m = 100;
	r = BZ2_bzBuffToBuffDecompress((char *)unpacked, &m, (char *)packed,
	    n, 1, 0);
	printf("BZ2_bzBuffToBuffDecompress short: %d %u\n", r, m);
	n = 10;
	r = BZ2_bzBuffToBuffCompress((char *)packed, &n, (char *)text,
	    sizeof(text), 1, 0, 0);
	printf("BZ2_bzBuffToBuffCompress short: %d %u\n", r, n);
}
#endif

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)("miso isolates "[i % 14] + i / 700);
	zlib();
#ifdef WITH_BZIP2
	bzip2();
#endif
	return fflush(stdout) == 0 ? 0 : 1;
}
