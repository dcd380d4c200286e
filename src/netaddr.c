/* netaddr.c - the class of an IP address, from tables of the
 * special-purpose ranges (see netaddr.h). */
#include "feedkeep/netaddr.h"

#include <arpa/inet.h>
#include <string.h>

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* A range: its first bytes and the length of its prefix in bits. The first
 * range of a table that holds an address decides; more specific ranges come
 * first. */
struct range {
    unsigned char prefix[16];
    unsigned bits;
    enum fk_netaddr_class class;
};

static const struct range ranges_v4[] = {
    {{255, 255, 255, 255}, 32, FK_NETADDR_BROADCAST},
    {{0}, 8, FK_NETADDR_UNSPECIFIED},
    {{10}, 8, FK_NETADDR_PRIVATE},
    {{100, 64}, 10, FK_NETADDR_SHARED},
    {{127}, 8, FK_NETADDR_LOOPBACK},
    {{169, 254}, 16, FK_NETADDR_LINK_LOCAL},
    {{172, 16}, 12, FK_NETADDR_PRIVATE},
    {{192, 0, 0}, 24, FK_NETADDR_RESERVED},
    {{192, 0, 2}, 24, FK_NETADDR_DOCUMENTATION},
    {{192, 88, 99}, 24, FK_NETADDR_RESERVED},
    {{192, 168}, 16, FK_NETADDR_PRIVATE},
    {{198, 18}, 15, FK_NETADDR_RESERVED},
    {{198, 51, 100}, 24, FK_NETADDR_DOCUMENTATION},
    {{203, 0, 113}, 24, FK_NETADDR_DOCUMENTATION},
    {{224}, 4, FK_NETADDR_MULTICAST},
    {{240}, 4, FK_NETADDR_RESERVED},
};

/* IPv6 ranges with an IPv4 address in them, judged by it: where it sits
 * (byte offset) after the prefix. */
static const struct {
    unsigned char prefix[16];
    unsigned bits;
    unsigned offset;
} embedding_v6[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, 12}, /* IPv4-mapped */
    {{0x00, 0x64, 0xff, 0x9b}, 96, 12},                   /* NAT64, well-known */
    {{0x20, 0x02}, 16, 2},                                /* 6to4 */
};

static const struct range ranges_v6[] = {
    {{0}, 128, FK_NETADDR_UNSPECIFIED},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, FK_NETADDR_LOOPBACK},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, FK_NETADDR_PRIVATE},
    {{0x01, 0x00}, 64, FK_NETADDR_RESERVED},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, FK_NETADDR_RESERVED},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, FK_NETADDR_DOCUMENTATION},
    {{0x3f, 0xff, 0x00}, 20, FK_NETADDR_DOCUMENTATION},
    {{0xfc}, 7, FK_NETADDR_PRIVATE},
    {{0xfe, 0x80}, 10, FK_NETADDR_LINK_LOCAL},
    {{0xfe, 0xc0}, 10, FK_NETADDR_PRIVATE},
    {{0xff}, 8, FK_NETADDR_MULTICAST},
};

static bool has_prefix(const unsigned char *address, const unsigned char *prefix, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(address, prefix, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (address[whole] & mask) == (prefix[whole] & mask);
}

static enum fk_netaddr_class classify(const unsigned char *address, const struct range *ranges,
                                      size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (has_prefix(address, ranges[i].prefix, ranges[i].bits))
            return ranges[i].class;
    return FK_NETADDR_PUBLIC;
}

enum fk_netaddr_class fk_netaddr_class_v4(const unsigned char address[4])
{
    return classify(address, ranges_v4, COUNT(ranges_v4));
}

enum fk_netaddr_class fk_netaddr_class_v6(const unsigned char address[16])
{
    enum fk_netaddr_class class = classify(address, ranges_v6, COUNT(ranges_v6));
    if (class != FK_NETADDR_PUBLIC)
        return class;
    for (size_t i = 0; i < COUNT(embedding_v6); i++)
        if (has_prefix(address, embedding_v6[i].prefix, embedding_v6[i].bits))
            return fk_netaddr_class_v4(address + embedding_v6[i].offset);
    /* IPv4-compatible (::a.b.c.d, deprecated): the first 96 bits zero,
     * :: and ::1 already judged above */
    static const unsigned char zeros[12];
    if (memcmp(address, zeros, sizeof zeros) == 0)
        return fk_netaddr_class_v4(address + 12);
    return FK_NETADDR_PUBLIC;
}

bool fk_netaddr_class_of_text(const char *text, enum fk_netaddr_class *out)
{
    unsigned char address[16];
    if (!text)
        return false;
    if (inet_pton(AF_INET, text, address) == 1) {
        *out = fk_netaddr_class_v4(address);
        return true;
    }
    if (inet_pton(AF_INET6, text, address) == 1) {
        *out = fk_netaddr_class_v6(address);
        return true;
    }
    return false;
}

const char *fk_netaddr_class_phrase(enum fk_netaddr_class class)
{
    static const char *const phrases[] = {
        [FK_NETADDR_PUBLIC] = "a public address",
        [FK_NETADDR_UNSPECIFIED] = "an unspecified address",
        [FK_NETADDR_LOOPBACK] = "a loopback address",
        [FK_NETADDR_PRIVATE] = "a private address",
        [FK_NETADDR_SHARED] = "a shared (carrier-grade NAT) address",
        [FK_NETADDR_LINK_LOCAL] = "a link-local address",
        [FK_NETADDR_MULTICAST] = "a multicast address",
        [FK_NETADDR_BROADCAST] = "a broadcast address",
        [FK_NETADDR_DOCUMENTATION] = "a documentation address",
        [FK_NETADDR_RESERVED] = "a reserved address",
    };
    if ((size_t) class < COUNT(phrases) && phrases[class])
        return phrases[class];
    return "an unknown address";
}
