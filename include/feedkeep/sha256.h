/* sha256.h - SHA-256 (FIPS 180-4), for naming stored bytes by their content.
 *
 * Written from the standard, with no library under it: libcurl is loaded
 * only when a fetch needs it and is no source of hashing here. Streaming
 * (init, update as often as needed, final) and one-shot forms give the same
 * digest for the same bytes however they are split.
 */
#ifndef FEEDKEEP_SHA256_H
#define FEEDKEEP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FK_SHA256_SIZE 32 /* bytes of a digest */
#define FK_SHA256_HEX  65 /* a digest in hex, with its NUL */

/* The state of one hash in progress. Caller memory; nothing to release. */
struct fk_sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes waiting in block */
};

/* Start a hash in ctx. */
void fk_sha256_init(struct fk_sha256 *ctx);

/* Hash len more bytes of data (NULL allowed when len is 0). */
void fk_sha256_update(struct fk_sha256 *ctx, const void *data, size_t len);

/* Finish: the 32-byte digest in digest. ctx must be initialised again
 * before it hashes anything else. */
void fk_sha256_final(struct fk_sha256 *ctx, unsigned char digest[FK_SHA256_SIZE]);

/* The digest of len bytes of data, in one call. */
void fk_sha256(const void *data, size_t len, unsigned char digest[FK_SHA256_SIZE]);

/* The digest as 64 lower-case hex digits and a NUL in hex; returns hex. */
char *fk_sha256_hex(const unsigned char digest[FK_SHA256_SIZE], char hex[FK_SHA256_HEX]);

#endif
