/* test_netaddr.c - the class of IPv4 and IPv6 addresses, at the edges of
 * every range and in the IPv6 forms that carry an IPv4 address. */
#include "feedkeep/netaddr.h"
#include "harness.h"

#define PUBLIC        FK_NETADDR_PUBLIC
#define UNSPECIFIED   FK_NETADDR_UNSPECIFIED
#define LOOPBACK      FK_NETADDR_LOOPBACK
#define PRIVATE       FK_NETADDR_PRIVATE
#define SHARED        FK_NETADDR_SHARED
#define LINK_LOCAL    FK_NETADDR_LINK_LOCAL
#define MULTICAST     FK_NETADDR_MULTICAST
#define BROADCAST     FK_NETADDR_BROADCAST
#define DOCUMENTATION FK_NETADDR_DOCUMENTATION
#define RESERVED      FK_NETADDR_RESERVED

static const struct {
    const char *address;
    enum fk_netaddr_class class;
} cases[] = {
    /* IPv4, each range and its neighbours */
    {"0.0.0.0", UNSPECIFIED},
    {"0.255.255.255", UNSPECIFIED},
    {"1.0.0.0", PUBLIC},
    {"8.8.8.8", PUBLIC},
    {"9.255.255.255", PUBLIC},
    {"10.0.0.0", PRIVATE},
    {"10.255.255.255", PRIVATE},
    {"11.0.0.0", PUBLIC},
    {"100.63.255.255", PUBLIC},
    {"100.64.0.0", SHARED},
    {"100.127.255.255", SHARED},
    {"100.128.0.0", PUBLIC},
    {"126.255.255.255", PUBLIC},
    {"127.0.0.1", LOOPBACK},
    {"127.255.255.254", LOOPBACK},
    {"128.0.0.0", PUBLIC},
    {"169.253.255.255", PUBLIC},
    {"169.254.0.0", LINK_LOCAL},
    {"169.254.169.254", LINK_LOCAL}, /* cloud metadata services */
    {"169.255.0.0", PUBLIC},
    {"172.15.255.255", PUBLIC},
    {"172.16.0.0", PRIVATE},
    {"172.31.255.255", PRIVATE},
    {"172.32.0.0", PUBLIC},
    {"192.0.0.8", RESERVED},
    {"192.0.1.1", PUBLIC},
    {"192.0.2.1", DOCUMENTATION},
    {"192.0.3.0", PUBLIC},
    {"192.88.99.1", RESERVED},
    {"192.167.255.255", PUBLIC},
    {"192.168.0.0", PRIVATE},
    {"192.168.255.255", PRIVATE},
    {"192.169.0.0", PUBLIC},
    {"198.17.255.255", PUBLIC},
    {"198.18.0.0", RESERVED},
    {"198.19.255.255", RESERVED},
    {"198.20.0.0", PUBLIC},
    {"198.51.100.7", DOCUMENTATION},
    {"203.0.113.255", DOCUMENTATION},
    {"223.255.255.255", PUBLIC},
    {"224.0.0.1", MULTICAST},
    {"239.255.255.255", MULTICAST},
    {"240.0.0.0", RESERVED},
    {"255.255.255.254", RESERVED},
    {"255.255.255.255", BROADCAST},

    /* IPv6 */
    {"::", UNSPECIFIED},
    {"::1", LOOPBACK},
    {"::2", UNSPECIFIED}, /* IPv4-compatible 0.0.0.2 */
    {"2606:4700::1111", PUBLIC},
    {"2a00:1450:4001:81c::200e", PUBLIC},
    {"fc00::1", PRIVATE},
    {"fdff:ffff::1", PRIVATE},
    {"fbff::1", PUBLIC},
    {"fe80::1", LINK_LOCAL},
    {"febf:ffff::1", LINK_LOCAL},
    {"fec0::1", PRIVATE},
    {"ff02::1", MULTICAST},
    {"2001:db8::1", DOCUMENTATION},
    {"2001:db9::1", PUBLIC},
    {"3fff:fff::1", DOCUMENTATION},
    {"3fff:1000::1", PUBLIC},
    {"100::1", RESERVED},
    {"100:0:0:1::1", PUBLIC},
    {"2001:2::1", RESERVED},
    {"64:ff9b:1::a", PRIVATE},

    /* IPv4 inside IPv6 */
    {"::ffff:127.0.0.1", LOOPBACK},
    {"::ffff:7f00:1", LOOPBACK},
    {"::ffff:10.1.2.3", PRIVATE},
    {"::ffff:169.254.169.254", LINK_LOCAL},
    {"::ffff:8.8.8.8", PUBLIC},
    {"::ffff:0.0.0.0", UNSPECIFIED},
    {"::127.0.0.1", LOOPBACK},
    {"::192.168.1.1", PRIVATE},
    {"::8.8.8.8", PUBLIC},
    {"64:ff9b::127.0.0.1", LOOPBACK},
    {"64:ff9b::a9fe:a9fe", LINK_LOCAL},
    {"64:ff9b::8.8.8.8", PUBLIC},
    {"2002:7f00:1::", LOOPBACK},
    {"2002:c0a8:101::1", PRIVATE},
    {"2002:808:808::1", PUBLIC},
};

static void test_classes(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum fk_netaddr_class class = PUBLIC;
        bool parsed = fk_netaddr_class_of_text(cases[i].address, &class);
        CHECK(parsed);
        if (class != cases[i].class)
            fprintf(stderr, "address %s\n", cases[i].address);
        CHECK_STR(fk_netaddr_class_phrase(class), fk_netaddr_class_phrase(cases[i].class));
    }
}

static void test_not_addresses(void)
{
    static const char *const texts[] = {
        "", "localhost", "127.1", "[::1]", "fe80::1%eth0", "1.2.3.4.5", "256.0.0.1", NULL,
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        enum fk_netaddr_class class = RESERVED;
        CHECK(!fk_netaddr_class_of_text(texts[i], &class));
        CHECK_INT(class, RESERVED);
    }
}

static void test_phrases(void)
{
    CHECK_STR(fk_netaddr_class_phrase(LOOPBACK), "a loopback address");
    CHECK_STR(fk_netaddr_class_phrase(SHARED), "a shared (carrier-grade NAT) address");
    CHECK_STR(fk_netaddr_class_phrase((enum fk_netaddr_class)99), "an unknown address");
    unsigned char v4[4] = {192, 168, 1, 1};
    CHECK_INT(fk_netaddr_class_v4(v4), PRIVATE);
    unsigned char v6[16] = {0xfe, 0x80};
    CHECK_INT(fk_netaddr_class_v6(v6), LINK_LOCAL);
}

int main(void)
{
    RUN(test_classes);
    RUN(test_not_addresses);
    RUN(test_phrases);
    return DONE();
}
