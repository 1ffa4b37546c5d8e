/*
 * test_embed.c - the files the build embeds are in the binary byte for
 * byte (compared with the source tree; the runner starts at the top).
 */
#include "test.h"

#include <stdlib.h>

#include "tinystack/embed.h"

TEST(embedded_runtime_matches_its_source)
{
    const ts_embedded *e = ts_embedded_find("lambda/runtimes/ts_runtime.py");
    FILE *f = fopen("src/lambda/runtimes/ts_runtime.py", "rb");
    char *buf;
    size_t n;

    REQUIRE(e != NULL);
    REQUIRE(f != NULL);
    buf = malloc(e->size + 1);
    n = fread(buf, 1, e->size + 1, f);
    fclose(f);
    CHECK(n == e->size);
    CHECK(memcmp(buf, e->data, e->size) == 0);
    CHECK(e->data[e->size] == '\0');
    CHECK(ts_embedded_find("lambda/runtimes/nope.py") == NULL);
    free(buf);
}
