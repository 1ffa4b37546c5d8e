/*
 * s3_checksum.c - the additional checksums S3 verifies and returns:
 * CRC32 (zlib), CRC32C and CRC64NVME (table driven, as no Debian library
 * offers them), SHA-1 and SHA-256 (OpenSSL).  Values travel as base64 of
 * the big-endian digest.
 */
#include "s3_int.h"

#include <string.h>
#include <strings.h>

#include <zlib.h>

static const struct {
    const char *name, *header;
} algos[] = {
    [S3_CK_NONE] = {"", ""},
    [S3_CK_CRC32] = {"CRC32", "x-amz-checksum-crc32"},
    [S3_CK_CRC32C] = {"CRC32C", "x-amz-checksum-crc32c"},
    [S3_CK_CRC64NVME] = {"CRC64NVME", "x-amz-checksum-crc64nvme"},
    [S3_CK_SHA1] = {"SHA1", "x-amz-checksum-sha1"},
    [S3_CK_SHA256] = {"SHA256", "x-amz-checksum-sha256"},
};

s3_cksum_algo s3_cksum_algo_parse(const char *name)
{
    for (int i = 1; i < (int)TS_ARRAY_LEN(algos); i++)
        if (!strcasecmp(name, algos[i].name) || !strcasecmp(name, algos[i].header))
            return (s3_cksum_algo)i;
    return S3_CK_NONE;
}

const char *s3_cksum_algo_name(s3_cksum_algo a)
{
    return algos[a].name;
}

const char *s3_cksum_header(s3_cksum_algo a)
{
    return algos[a].header;
}

static uint32_t crc32c_table[256];
static uint64_t crc64_table[256];

static void tables_init(void)
{
    static int done;

    if (done)
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        uint64_t d = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            d = d & 1 ? (d >> 1) ^ 0x9A6C9329AC4BC9B5ull : d >> 1;
        }
        crc32c_table[i] = c;
        crc64_table[i] = d;
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

uint32_t s3_crc32c(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;

    tables_init();
    crc = ~crc;
    while (n--)
        crc = crc32c_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint64_t s3_crc64nvme(uint64_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;

    tables_init();
    crc = ~crc;
    while (n--)
        crc = crc64_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

void s3_cksum_init(s3_cksum *c, s3_cksum_algo a)
{
    memset(c, 0, sizeof(*c));
    c->algo = a;
    if (a == S3_CK_SHA1 || a == S3_CK_SHA256) {
        c->md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(c->md, a == S3_CK_SHA1 ? EVP_sha1() : EVP_sha256(), NULL);
    }
}

void s3_cksum_update(s3_cksum *c, const void *p, size_t n)
{
    switch (c->algo) {
    case S3_CK_CRC32:
        while (n) {
            uInt k = n > (1u << 30) ? 1u << 30 : (uInt)n;
            c->crc = crc32((uLong)c->crc, p, k);
            p = (const char *)p + k;
            n -= k;
        }
        break;
    case S3_CK_CRC32C: c->crc = s3_crc32c((uint32_t)c->crc, p, n); break;
    case S3_CK_CRC64NVME: c->crc = s3_crc64nvme(c->crc, p, n); break;
    case S3_CK_SHA1:
    case S3_CK_SHA256: EVP_DigestUpdate(c->md, p, n); break;
    case S3_CK_NONE: break;
    }
}

char *s3_cksum_final(ts_arena *a, s3_cksum *c)
{
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *b64, *out;

    switch (c->algo) {
    case S3_CK_CRC32:
    case S3_CK_CRC32C:
        for (int i = 0; i < 4; i++)
            raw[i] = (unsigned char)(c->crc >> (24 - 8 * i));
        n = 4;
        break;
    case S3_CK_CRC64NVME:
        for (int i = 0; i < 8; i++)
            raw[i] = (unsigned char)(c->crc >> (56 - 8 * i));
        n = 8;
        break;
    case S3_CK_SHA1:
    case S3_CK_SHA256: EVP_DigestFinal_ex(c->md, raw, &n); break;
    case S3_CK_NONE: return NULL;
    }
    s3_cksum_free(c);
    b64 = ts_base64_encode(raw, n);
    out = ts_arena_strdup(a, b64);
    ts_free(b64);
    return out;
}

void s3_cksum_free(s3_cksum *c)
{
    if (c->md)
        EVP_MD_CTX_free(c->md);
    c->md = NULL;
}
