/* test_json.c - JSON literals stay valid whatever the input bytes. */
#include <stdlib.h>

#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "harness.h"

static const struct {
    const char *input;
    const char *expected;
} string_cases[] = {
    {"plain", "\"plain\""},
    {"", "\"\""},
    {"quote \" backslash \\", "\"quote \\\" backslash \\\\\""},
    {"tab\tnewline\ncr\r", "\"tab\\tnewline\\ncr\\r\""},
    {"\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\""},
    {"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\""},
    /* invalid UTF-8 becomes U+FFFD, one per bad byte */
    {"bad \xff end", "\"bad \xef\xbf\xbd end\""},
    {"trunc \xe2\x80", "\"trunc \xef\xbf\xbd\xef\xbf\xbd\""},
    {"overlong \xc0\xaf", "\"overlong \xef\xbf\xbd\xef\xbf\xbd\""},
    {"surrogate \xed\xa0\x80", "\"surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
    {"escape \x1b[2J", "\"escape \\u001b[2J\""},
};

static void test_strings(void)
{
    for (size_t i = 0; i < sizeof string_cases / sizeof string_cases[0]; i++) {
        struct fk_buf buf = FK_BUF_INIT;
        CHECK_INT(fk_json_string(&buf, string_cases[i].input), 0);
        CHECK_STR(buf.data, string_cases[i].expected);
        fk_buf_release(&buf);
    }
}

static void test_null_and_nul(void)
{
    struct fk_buf buf = FK_BUF_INIT;
    fk_json_string(&buf, NULL);
    CHECK_STR(buf.data, "null");
    fk_buf_reset(&buf);
    fk_json_string_len(&buf, "a\0b", 3);
    CHECK_STR(buf.data, "\"a\\u0000b\"");
    fk_buf_release(&buf);
}

static void test_time(void)
{
    struct fk_buf buf = FK_BUF_INIT;
    fk_json_time(&buf, FK_TIME_NONE);
    CHECK_STR(buf.data, "null");
    fk_buf_reset(&buf);
    fk_json_time(&buf, 1780823907); /* 2026-06-07T09:18:27Z */
    CHECK_STR(buf.data, "\"2026-06-07T09:18:27Z\"");
    fk_buf_release(&buf);
}

static void test_valid_prefix(void)
{
    CHECK_INT(fk_utf8_valid_prefix("abc", 3), 3);
    CHECK_INT(fk_utf8_valid_prefix("ab\xc3\xa9", 4), 4);
    CHECK_INT(fk_utf8_valid_prefix("ab\xc3", 3), 2);
    CHECK_INT(fk_utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0); /* above U+10FFFF */
}

static void test_members(void)
{
    static const char *const tags[] = {"a", "b\"c"};
    struct fk_buf buf = FK_BUF_INIT;
    fk_buf_addc(&buf, '{');
    CHECK_INT(fk_json_member_int(&buf, "id", 42), 0);
    CHECK_INT(fk_json_member_str(&buf, "title", "T"), 0);
    CHECK_INT(fk_json_member_str(&buf, "author", NULL), 0);
    CHECK_INT(fk_json_member_time(&buf, "date", FK_TIME_NONE), 0);
    CHECK_INT(fk_json_member_bool(&buf, "ok", true), 0);
    CHECK_INT(fk_json_member_strings(&buf, "tags", tags, 2), 0);
    CHECK_INT(fk_json_member_strings(&buf, "none", NULL, 0), 0);
    fk_json_key(&buf, "inner");
    fk_buf_addc(&buf, '{');
    fk_json_member_int(&buf, "n", -1);
    fk_buf_adds(&buf, "}}");
    CHECK_STR(buf.data, "{\"id\":42,\"title\":\"T\",\"author\":null,\"date\":null,\"ok\":true,"
                        "\"tags\":[\"a\",\"b\\\"c\"],\"none\":[],\"inner\":{\"n\":-1}}");
    /* The first member of an emptied buffer has no comma. */
    fk_buf_reset(&buf);
    fk_json_member_int(&buf, "id", 1);
    CHECK_STR(buf.data, "\"id\":1");
    fk_buf_release(&buf);
}

int main(void)
{
    RUN(test_strings);
    RUN(test_null_and_nul);
    RUN(test_time);
    RUN(test_valid_prefix);
    RUN(test_members);
    return DONE();
}
