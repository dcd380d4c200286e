/* hash.h - the one 64-bit hash: FNV-1a (Fowler, Noll, Vo), fast, well
 * spread, not cryptographic. Its values are stored (export records, item
 * fingerprints), so the offset basis and the prime never change.
 *
 *   uint64_t h = fk_fnv1a64(data, len);
 * or in parts, the same value:
 *   uint64_t h = FK_FNV1A64_BASIS;
 *   h = fk_fnv1a64_add(h, first, first_len);
 *   h = fk_fnv1a64_add(h, rest, rest_len);
 */
#ifndef FEEDKEEP_HASH_H
#define FEEDKEEP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FK_FNV1A64_BASIS UINT64_C(0xcbf29ce484222325)
#define FK_FNV1A64_PRIME UINT64_C(0x100000001b3)

/* hash continued over the len bytes at data. */
static inline uint64_t fk_fnv1a64_add(uint64_t hash, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ p[i]) * FK_FNV1A64_PRIME;
    return hash;
}

/* The hash of the len bytes at data. */
static inline uint64_t fk_fnv1a64(const void *data, size_t len)
{
    return fk_fnv1a64_add(FK_FNV1A64_BASIS, data, len);
}

#endif
