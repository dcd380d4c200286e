/* netaddr.h - what kind of place an IP address is, for refusing requests
 * to places a feed has no business sending us (the local host, the local
 * network, addresses that are no single host on the Internet).
 *
 * The ranges are those of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and its updates) that are not globally reachable,
 * and IPv6 forms that carry an IPv4 address inside (IPv4-mapped
 * ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96 of RFC 6052, 6to4
 * 2002::/16), which are judged by the IPv4 address they carry.
 */
#ifndef FEEDKEEP_NETADDR_H
#define FEEDKEEP_NETADDR_H

#include <stdbool.h>

enum fk_netaddr_class {
    FK_NETADDR_PUBLIC = 0,    /* none of the below: a host on the Internet */
    FK_NETADDR_UNSPECIFIED,   /* 0.0.0.0/8 ("this network"), :: */
    FK_NETADDR_LOOPBACK,      /* 127.0.0.0/8, ::1 */
    FK_NETADDR_PRIVATE,       /* 10/8, 172.16/12, 192.168/16, fc00::/7 (unique
                                 local), fec0::/10 (site-local), 64:ff9b:1::/48 */
    FK_NETADDR_SHARED,        /* 100.64.0.0/10, carrier-grade NAT */
    FK_NETADDR_LINK_LOCAL,    /* 169.254.0.0/16, fe80::/10 */
    FK_NETADDR_MULTICAST,     /* 224.0.0.0/4, ff00::/8 */
    FK_NETADDR_BROADCAST,     /* 255.255.255.255 */
    FK_NETADDR_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24,
                                 2001:db8::/32, 3fff::/20 */
    FK_NETADDR_RESERVED,      /* 192.0.0.0/24 (protocol assignments),
                                 192.88.99.0/24 (6to4 relays), 198.18.0.0/15
                                 (benchmarking), 240.0.0.0/4, 100::/64
                                 (discard), 2001:2::/48 (benchmarking) */
};

/* The class of an IPv4 address, 4 bytes in network order. */
enum fk_netaddr_class fk_netaddr_class_v4(const unsigned char address[4]);

/* The class of an IPv6 address, 16 bytes in network order. */
enum fk_netaddr_class fk_netaddr_class_v6(const unsigned char address[16]);

/* The class of an address in text ("127.0.0.1", "::ffff:10.0.0.1"; no
 * brackets, no zone), into *out. Returns false, *out untouched, when text
 * is no IPv4 or IPv6 address. */
bool fk_netaddr_class_of_text(const char *text, enum fk_netaddr_class *out);

/* The class as the end of a sentence: "a loopback address", "a private
 * address". Static; never NULL. */
const char *fk_netaddr_class_phrase(enum fk_netaddr_class class);

#endif
