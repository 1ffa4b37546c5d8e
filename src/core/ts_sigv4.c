/*
 * ts_sigv4.c - splits a SigV4 credential scope out of an Authorization
 * header or a presigned URL's X-Amz-Credential.  The router uses the
 * service name to pick a service and the region as the request's region.
 */
#include "tinystack/sigv4.h"

#include <string.h>

static int copy_part(const char **p, char *out, size_t size, int last)
{
    size_t span = strcspn(*p, ", ");
    const char *end = last ? *p + span : memchr(*p, '/', span);
    size_t n;

    if (!end)
        return -1;
    n = (size_t)(end - *p);
    if (n >= size)
        return -1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = *end == '/' ? end + 1 : end;
    return 0;
}

int ts_sigv4_parse_credential(const char *cred, ts_sigv4_scope *out)
{
    const char *p = cred;
    char term[32];

    if (copy_part(&p, out->access_key, sizeof(out->access_key), 0) ||
        copy_part(&p, out->date, sizeof(out->date), 0) ||
        copy_part(&p, out->region, sizeof(out->region), 0) ||
        copy_part(&p, out->service, sizeof(out->service), 0) ||
        copy_part(&p, term, sizeof(term), 1))
        return -1;
    if (strcmp(term, "aws4_request") != 0 || !out->region[0])
        return -1;
    return 0;
}

int ts_sigv4_parse_authorization(const char *header, ts_sigv4_scope *out)
{
    const char *p;

    if (strncmp(header, "AWS4-HMAC-SHA256", 16) != 0)
        return -1;
    p = strstr(header, "Credential=");
    if (!p)
        return -1;
    return ts_sigv4_parse_credential(p + 11, out);
}
