/* test_sha256.c - SHA-256 against the example vectors of FIPS 180-4 (NIST's
 * "Examples with intermediate values" and the long messages of 180-2),
 * and streaming in any chunk sizes against one shot. */
#include <stdlib.h>

#include "feedkeep/sha256.h"
#include "harness.h"

static const char *hex_of(const void *data, size_t len, char hex[FK_SHA256_HEX])
{
    unsigned char digest[FK_SHA256_SIZE];
    fk_sha256(data, len, digest);
    return fk_sha256_hex(digest, hex);
}

static void test_vectors(void)
{
    static const struct {
        const char *message;
        const char *digest;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mn"
         "opqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    char hex[FK_SHA256_HEX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(hex_of(cases[i].message, strlen(cases[i].message), hex), cases[i].digest);
}

static void test_million_a(void)
{
    size_t len = 1000000;
    char *a = malloc(len);
    memset(a, 'a', len);
    char hex[FK_SHA256_HEX];
    CHECK_STR(hex_of(a, len, hex),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* the same million in 1000 updates of 1000 */
    struct fk_sha256 ctx;
    unsigned char digest[FK_SHA256_SIZE];
    fk_sha256_init(&ctx);
    for (int i = 0; i < 1000; i++)
        fk_sha256_update(&ctx, a, 1000);
    fk_sha256_final(&ctx, digest);
    CHECK_STR(fk_sha256_hex(digest, hex),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Every length around the block and padding boundaries, fed in chunks of
 * every size from 1 to 70, gives the one-shot digest. */
static void test_streaming(void)
{
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    int mismatches = 0;
    for (size_t len = 0; len <= sizeof data; len++) {
        unsigned char expected[FK_SHA256_SIZE];
        fk_sha256(data, len, expected);
        for (size_t chunk = 1; chunk <= 70; chunk++) {
            struct fk_sha256 ctx;
            unsigned char digest[FK_SHA256_SIZE];
            fk_sha256_init(&ctx);
            fk_sha256_update(&ctx, NULL, 0);
            for (size_t off = 0; off < len; off += chunk)
                fk_sha256_update(&ctx, data + off, len - off < chunk ? len - off : chunk);
            fk_sha256_final(&ctx, digest);
            if (memcmp(digest, expected, sizeof digest) != 0)
                mismatches++;
        }
    }
    CHECK_INT(mismatches, 0);
    /* 55 and 56 bytes: the length fits after the 1 bit, or needs a block */
    char hex[FK_SHA256_HEX];
    char fifty_six[57];
    memset(fifty_six, 'a', 56);
    CHECK_STR(hex_of(fifty_six, 55, hex),
              "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK_STR(hex_of(fifty_six, 56, hex),
              "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

int main(void)
{
    RUN(test_vectors);
    RUN(test_million_a);
    RUN(test_streaming);
    return DONE();
}
