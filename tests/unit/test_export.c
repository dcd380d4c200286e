/* test_export.c - slugs, file names, YAML front matter, safe writes, the
 * assets export copies beside the articles and the page of show --html. */
#include "feedkeep/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/sha256.h"
#include "feedkeep/store.h"
#include "harness.h"

/* --- slugs and names ------------------------------------------------------------ */

static const struct {
    const char *title;
    const char *slug;
} slug_cases[] = {
    {"Hello, World!", "hello-world"},
    {"  Leading and trailing  ", "leading-and-trailing"},
    {"What's new in C23? (Part 2)", "whats-new-in-c23-part-2"},
    {"What\xE2\x80\x99s new", "whats-new"},
    {"../../etc/passwd", "etc-passwd"},
    {"/abs/path", "abs-path"},
    {".hidden", "hidden"},
    {"..", ""},
    {"a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"},
    {"tab\there\nnew\x01line\x7f", "tab-here-new-line"},
    {"Caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
     "e",
     "cafe-creme-brulee"},
    {"Stra\xC3\x9F"
     "e \xC3\x86sir \xC3\x97 \xC3\x98l \xC5\x81\xC3\xB3"
     "d\xC5\xBA",
     "strasse-aesir-ol-od"},
    {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", ""},
    {"---", ""},
    {"", ""},
    {"UPPER lower 123", "upper-lower-123"},
    {"C++ & C#: a comparison", "c-c-a-comparison"},
    {"\xFF\xFE bad bytes \xC3", "bad-bytes"},
};

static void test_slugs(void)
{
    for (size_t i = 0; i < sizeof slug_cases / sizeof slug_cases[0]; i++) {
        char slug[FK_EXPORT_SLUG_MAX + 1];
        size_t len = fk_export_slug(slug_cases[i].title, slug, sizeof slug);
        CHECK_STR(slug, slug_cases[i].slug);
        CHECK_INT(len, strlen(slug_cases[i].slug));
    }
    char slug[FK_EXPORT_SLUG_MAX + 1];
    CHECK_INT(fk_export_slug(NULL, slug, sizeof slug), 0);
    CHECK_STR(slug, "");

    /* Long titles are cut at a word, within the limit. */
    char title[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(title, "word ");
    size_t len = fk_export_slug(title, slug, sizeof slug);
    CHECK(len <= FK_EXPORT_SLUG_MAX && len > FK_EXPORT_SLUG_MAX - 5);
    CHECK(slug[len - 1] == 'd');
    /* One long word is cut where it must be. */
    memset(title, 'x', 300);
    title[300] = '\0';
    CHECK_INT(fk_export_slug(title, slug, sizeof slug), FK_EXPORT_SLUG_MAX);
    /* A small buffer is respected. */
    char small[6];
    CHECK_INT(fk_export_slug("abc def ghi", small, sizeof small), 3);
    CHECK_STR(small, "abc");
}

static void test_base_names(void)
{
    int64_t day = fk_date_parse_iso("2024-03-05T23:59:59Z");
    int64_t other = fk_date_parse_iso("2023-01-02");
    char name[FK_EXPORT_NAME_SIZE];
    fk_export_base_name(day, other, "Hello World", "g", true, name);
    CHECK_STR(name, "2024-03-05-hello-world");
    fk_export_base_name(FK_TIME_NONE, other, "Hello", "g", true, name);
    CHECK_STR(name, "2023-01-02-hello");
    fk_export_base_name(FK_TIME_NONE, FK_TIME_NONE, "Hello", "g", true, name);
    CHECK_STR(name, "undated-hello");
    fk_export_base_name(day, FK_TIME_NONE, NULL, NULL, true, name);
    CHECK_STR(name, "2024-03-05-untitled");
    /* No slug: a stable tag of the guid instead. */
    fk_export_base_name(day, FK_TIME_NONE, "\xE6\x97\xA5\xE6\x9C\xAC", "urn:x:1", true, name);
    char again[FK_EXPORT_NAME_SIZE];
    fk_export_base_name(day, FK_TIME_NONE, "!!!", "urn:x:1", true, again);
    CHECK_STR(name, again);
    CHECK_INT(strlen(name), strlen("2024-03-05-") + 8);
    fk_export_base_name(day, FK_TIME_NONE, "!!!", "urn:x:2", true, again);
    CHECK(strcmp(name, again) != 0);

    /* Whatever the title, the name is short and of a safe alphabet. */
    char *huge = malloc((1 << 20) + 1);
    memset(huge, 'a', 1 << 20);
    huge[1 << 20] = '\0';
    for (int i = 0; i < (1 << 20); i += 7)
        huge[i] = (char)(i % 3 == 0 ? '/' : i % 3 == 1 ? '.' : '\n');
    fk_export_base_name(day, day, huge, huge, true, name);
    free(huge);
    CHECK(strlen(name) + strlen("-9999999.md") <= FK_EXPORT_NAME_MAX);
    for (const char *p = name; *p; p++)
        CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
}

/* --- unique names (through the store's export tables) ------------------------------ */

/* An article as export adds it, and the name it should end up with. */
struct naming {
    int64_t id;
    const char *wanted;
    const char *expected;
};

/* Name the articles of cases, added in that order, for the export
 * directory dir_id (0: none), and check each article's name. */
static void check_names(struct fk_store *store, int64_t dir_id, const struct naming *cases,
                        size_t count)
{
    struct fk_error err = {0};
    struct fk_export_entry entry;
    CHECK_INT(fk_store_export_begin(store, dir_id, &err), 0);
    for (size_t i = 0; i < count; i++)
        CHECK_INT(fk_store_export_add(store, cases[i].id, cases[i].wanted, &err), 0);
    CHECK_INT(fk_export_name_articles(store, &err), 0);
    for (size_t i = 0; i < count; i++) {
        CHECK_INT(fk_store_export_get(store, (int64_t)i + 1, &entry, &err), 0);
        CHECK_INT(entry.id, cases[i].id);
        CHECK_STR(entry.name, cases[i].expected);
        fk_export_entry_release(&entry);
    }
    CHECK_INT(fk_store_export_get(store, (int64_t)count + 1, &entry, &err), 1);
    CHECK(entry.name == NULL);
}

/* Record files (article id, name) for the export directory path as an
 * export would; returns the directory's id. */
static int64_t record_names(struct fk_store *store, const char *path, const struct naming *files,
                            size_t count)
{
    struct fk_error err = {0};
    struct fk_store_mark mark = {0, 0};
    CHECK_INT(fk_store_export_begin(store, 0, &err), 0);
    for (size_t i = 0; i < count; i++) {
        char file_path[FK_EXPORT_PATH_SIZE];
        fk_export_path(FK_EXPORT_PLAIN, files[i].wanted, file_path);
        struct fk_export_file file = {files[i].id, files[i].wanted, file_path, 1};
        CHECK_INT(fk_store_export_wrote(store, &file, &err), 0);
    }
    CHECK_INT(fk_store_record_export(store, path, 0, &mark, &err), 0);
    int64_t dir_id = 0;
    CHECK_INT(fk_store_find_export_dir(store, path, &dir_id, &mark, &err), 0);
    return dir_id;
}

static void test_unique_names(void)
{
    char root[200], path[300];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/fk-names-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    CHECK(mkdtemp(root) != NULL);
    snprintf(path, sizeof path, "%s/archive.db", root);
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(path, &err);
    CHECK(store != NULL);
    if (!store)
        return;

    /* Given newest first, as list gives them. */
    const struct naming parts[] = {
        {9, "2024-01-01-part", "2024-01-01-part-4"},
        {7, "2024-01-01-part-2", "2024-01-01-part-2"}, /* its own name, not a suffix */
        {5, "2024-01-01-part", "2024-01-01-part-3"},
        {3, "2024-01-01-part", "2024-01-01-part"}, /* the lowest id */
        {8, "2024-01-02-part", "2024-01-02-part"},
        {1, "2024-01-01-other", "2024-01-01-other"},
    };
    check_names(store, 0, parts, sizeof parts / sizeof parts[0]);
    check_names(store, 0, NULL, 0);
    /* An article listed twice is exported twice, the second time under a
     * suffix; so is every clash of a run of the same name, in id order. */
    const struct naming twice[] = {
        {4, "2024-01-01-twice", "2024-01-01-twice"},   {6, "2024-01-01-same", "2024-01-01-same-3"},
        {4, "2024-01-01-twice", "2024-01-01-twice-2"}, {2, "2024-01-01-same", "2024-01-01-same"},
        {3, "2024-01-01-same", "2024-01-01-same-2"},   {9, "2024-01-01-same", "2024-01-01-same-4"},
    };
    check_names(store, 0, twice, sizeof twice / sizeof twice[0]);

    /* Article 5 was exported before as "old": it keeps it, and nobody
     * else takes it, even an article with a lower id wanting it; nor the
     * name of article 11, recorded and not exported now. A recorded name
     * longer than a name export makes is neither kept nor reserved. */
    char long_name[FK_EXPORT_NAME_MAX];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const struct naming recorded[] = {
        {5, "2024-01-01-old", NULL},
        {7, "2024-01-01-new", NULL},
        {11, "2024-01-01-kept", NULL},
        {12, long_name, NULL},
    };
    snprintf(path, sizeof path, "%s/out", root);
    int64_t dir_id = record_names(store, path, recorded, sizeof recorded / sizeof recorded[0]);
    CHECK(dir_id > 0);
    const struct naming fixed[] = {
        {9, "2024-01-01-new", "2024-01-01-new-2"},
        {5, "2024-01-01-renamed", "2024-01-01-old"},
        {3, "2024-01-01-old", "2024-01-01-old-2"},
        {7, "2024-01-01-other", "2024-01-01-new"},
        {8, "2024-01-01-\xD0\xB6", "2024-01-01-\xD0\xB6"},
        {4, "2024-01-01-kept", "2024-01-01-kept-2"},
        {12, "2024-01-01-twelve", "2024-01-01-twelve"},
    };
    check_names(store, dir_id, fixed, sizeof fixed / sizeof fixed[0]);
    /* Each article comes back with its record there, if any. */
    struct fk_export_entry entry;
    CHECK_INT(fk_store_export_get(store, 2, &entry, &err), 0);
    CHECK_INT(entry.id, 5);
    CHECK_STR(entry.recorded_path, "2024-01-01-old.md");
    CHECK_INT(entry.recorded_hash, 1);
    fk_export_entry_release(&entry);
    CHECK_INT(fk_store_export_get(store, 1, &entry, &err), 0);
    CHECK_STR(entry.recorded_path, NULL);
    fk_export_entry_release(&entry);
    /* Without the directory, the names wanted. */
    const struct naming elsewhere[] = {
        {9, "2024-01-01-new", "2024-01-01-new"},
        {5, "2024-01-01-renamed", "2024-01-01-renamed"},
        {3, "2024-01-01-old", "2024-01-01-old"},
    };
    check_names(store, 0, elsewhere, sizeof elsewhere / sizeof elsewhere[0]);

    fk_store_close(store);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT(system(command), 0);
}

/* --- UTF-8 names ------------------------------------------------------------------ */

static const struct {
    const char *title;
    const char *slug;
} utf8_slug_cases[] = {
    /* Letters of every script are kept, lower-cased where the table knows
     * the case. */
    {"Привет, мир: заметки о Rust", "привет-мир-заметки-о-rust"},
    {"ПРИВЕТ ЁЖ Ѐ Ґ Ӂ", "привет-ёж-ѐ-ґ-ӂ"},
    {"数据库索引入门", "数据库索引入门"},
    {"数据库：索引、入门。", "数据库-索引-入门"},
    {"Nguyễn NGUYỄN", "nguyễn-nguyễn"},
    {"Café CRÈME Ÿ", "café-crème-ÿ"},
    {"Łódź ŁÓDŹ İstanbul", "łódź-łódź-istanbul"},
    {"Ελληνικά ΆΈΉ ΩΣ", "ελληνικά-άέή-ωσ"},
    {"Straße STRAẞE", "straße-straße"},
    {"ＦＵＬＬ ｗｉｄｔｈ！", "ｆｕｌｌ-ｗｉｄｔｈ"},
    {"한국어 제목", "한국어-제목"},
    {"עברית ועוד", "עברית-ועוד"},
    {"العربية؟ نعم", "العربية-نعم"},
    {"हिन्दी। शीर्षक", "हिन्दी-शीर्षक"},
    {"日本語のタイトル", "日本語のタイトル"},
    /* Punctuation, symbols, emoji and invisible characters separate. */
    {"Launch 🚀 notes 🎉", "launch-notes"},
    {"a\xE2\x80\x94"
     "b\xE2\x80\xA6"
     "c \xC2\xA9 d \xC3\x97 e",
     "a-b-c-d-e"},
    {"zero\xE2\x80\x8Bwidth\xE2\x80\x8Djoin", "zero-width-join"},
    {"bidi\xE2\x80\xAEtext\xD8\x9Cmark", "bidi-text-mark"},
    {"vs\xEF\xB8\x8F"
     "16",
     "vs-16"},
    {"What\xE2\x80\x99s new", "whats-new"},
    {"../../etc/passwd", "etc-passwd"},
    {"\xFF\xFE bad bytes \xC3", "bad-bytes"},
    {"\xE2\x84\x96 1", "1"},
    {"", ""},
};

static void test_utf8_slugs(void)
{
    for (size_t i = 0; i < sizeof utf8_slug_cases / sizeof utf8_slug_cases[0]; i++) {
        char slug[FK_EXPORT_SLUG_MAX + 1];
        size_t len = fk_export_slug_utf8(utf8_slug_cases[i].title, slug, sizeof slug);
        CHECK_STR(slug, utf8_slug_cases[i].slug);
        CHECK_INT(len, strlen(utf8_slug_cases[i].slug));
    }
    /* The byte limit cuts on a character boundary, at a word when one is
     * near. */
    char title[400] = "", slug[FK_EXPORT_SLUG_MAX + 1];
    for (int i = 0; i < 60; i++)
        strcat(title, "\xD0\xB6"); /* ж, two bytes */
    size_t len = fk_export_slug_utf8(title, slug, sizeof slug);
    CHECK_INT(len, FK_EXPORT_SLUG_MAX);
    CHECK(fk_utf8_valid_prefix(slug, len) == len);
    title[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(title, "\xE6\x95\xB0"); /* 数, three bytes */
    len = fk_export_slug_utf8(title, slug, sizeof slug);
    CHECK_INT(len, FK_EXPORT_SLUG_MAX / 3 * 3);
    CHECK(fk_utf8_valid_prefix(slug, len) == len);
    title[0] = '\0';
    for (int i = 0; i < 20; i++)
        strcat(title, "сл\xD0\xBE\xD0\xB2\xD0\xBE ");
    len = fk_export_slug_utf8(title, slug, sizeof slug);
    CHECK(len <= FK_EXPORT_SLUG_MAX && slug[len - 1] != '-');
    CHECK(fk_utf8_valid_prefix(slug, len) == len);
    CHECK(strcmp(slug + len - strlen("слово"), "слово") == 0);

    /* Names: UTF-8 by default, the old ones with ascii. */
    int64_t day = fk_date_parse_iso("2026-06-01T10:00:00Z");
    char name[FK_EXPORT_NAME_SIZE];
    fk_export_base_name(day, FK_TIME_NONE, "Привет, мир: заметки о Rust", "g", false, name);
    CHECK_STR(name, "2026-06-01-привет-мир-заметки-о-rust");
    fk_export_base_name(day, FK_TIME_NONE, "Привет, мир: заметки о Rust", "g", true, name);
    CHECK_STR(name, "2026-06-01-rust");
    fk_export_base_name(day, FK_TIME_NONE, "🚀🎉", "urn:x", false, name);
    CHECK_INT(strlen(name), strlen("2026-06-01-") + 8); /* a tag of the guid */

    /* Whatever the title, no separator, dot, slash or control survives. */
    char *huge = malloc((1 << 16) + 1);
    for (int i = 0; i < (1 << 16); i++)
        huge[i] = (char)(i % 255 + 1);
    huge[1 << 16] = '\0';
    fk_export_base_name(day, day, huge, huge, false, name);
    free(huge);
    CHECK(strlen(name) + strlen("-9999999.md") <= FK_EXPORT_NAME_MAX);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        CHECK(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
    CHECK(fk_utf8_valid_prefix(name, strlen(name)) == strlen(name));
}

static void test_paths(void)
{
    char path[FK_EXPORT_PATH_SIZE];
    fk_export_path(FK_EXPORT_PLAIN, "a", path);
    CHECK_STR(path, "a.md");
    fk_export_path(FK_EXPORT_HUGO, "a", path);
    CHECK_STR(path, "a/index.md");
    fk_export_path(FK_EXPORT_JEKYLL, "a", path);
    CHECK_STR(path, "a.md");
    fk_export_path(FK_EXPORT_OBSIDIAN, "a", path);
    CHECK_STR(path, "a.md");

    enum fk_export_profile profile = FK_EXPORT_PLAIN;
    CHECK_INT(fk_export_profile_from_name("hugo", &profile), 0);
    CHECK_INT(profile, FK_EXPORT_HUGO);
    CHECK_INT(fk_export_profile_from_name("obsidian", &profile), 0);
    CHECK_INT(profile, FK_EXPORT_OBSIDIAN);
    CHECK_INT(fk_export_profile_from_name("Hugo", &profile), -1);
    CHECK_INT(fk_export_profile_from_name(NULL, &profile), -1);
}

/* --- tags ---------------------------------------------------------------------- */

static const struct {
    const char *tag, *obsidian, *hugo;
} tag_cases[] = {
    {"web dev", "web-dev", "web dev"},
    {"c++", "cplusplus", "c++"},
    {"c#", "csharp", "csharp"},
    {"#x", "x", "x"},
    {"##", "", ""},
    {"f#.net", "fsharp-net", "fsharp.net"},
    {"2024", "_2024", "2024"},
    {"what?", "what", "what-"},
    {"100%", "_100", "100-"},
    {"lang/rust", "lang/rust", "lang/rust"},
    {"/lead/", "lead", "/lead/"},
    {"Заметки о Rust", "заметки-о-rust", "Заметки о Rust"},
    {"数据库", "数据库", "数据库"},
    {"snake_case", "snake_case", "snake_case"},
    {"emoji 🚀", "emoji", "emoji 🚀"},
    {"", "", ""},
};

static void test_tags(void)
{
    for (size_t i = 0; i < sizeof tag_cases / sizeof tag_cases[0]; i++) {
        char out[64];
        size_t len = fk_export_obsidian_tag(tag_cases[i].tag, out, sizeof out);
        CHECK_STR(out, tag_cases[i].obsidian);
        CHECK_INT(len, strlen(tag_cases[i].obsidian));
        len = fk_export_hugo_tag(tag_cases[i].tag, out, sizeof out);
        CHECK_STR(out, tag_cases[i].hugo);
        CHECK_INT(len, strlen(tag_cases[i].hugo));
    }
    /* Small buffers: whole characters only. */
    char small[6];
    CHECK_INT(fk_export_obsidian_tag("абвгд", small, sizeof small), 4);
    CHECK_STR(small, "аб");
    CHECK_INT(fk_export_hugo_tag("абвгд", small, sizeof small), 4);
    CHECK_STR(small, "аб");
}

static void test_profiles(void)
{
    const char *tags[] = {"#x", "c++", "web dev"};
    struct fk_article a = {0};
    a.title = "T: *one*";
    a.author = "Ann";
    a.published = FK_TIME_NONE;
    a.updated = a.date = fk_date_parse_iso("2024-03-06T00:00:00Z");
    a.url = "https://example.com/t";
    a.guid = "urn:t";
    a.feed_url = "https://example.com/feed";
    a.tags = tags;
    a.ntags = 3;
    a.markdown = "Body.\n";
    struct fk_export_options options = {FK_EXPORT_HUGO, false, NULL, 0, NULL};
    struct fk_buf out = FK_BUF_INIT;
    fk_export_document(&out, &a, &options);
    CHECK_STR(out.data, "---\n"
                        "title: \"T: *one*\"\n"
                        "author: \"Ann\"\n"
                        "date: 2024-03-06T00:00:00Z\n"
                        "lastmod: 2024-03-06T00:00:00Z\n"
                        "source_url: \"https://example.com/t\"\n"
                        "guid: \"urn:t\"\n"
                        "feed: \"https://example.com/feed\"\n"
                        "tags:\n  - \"x\"\n  - \"c++\"\n  - \"web dev\"\n"
                        "feed_tags:\n  - \"#x\"\n  - \"c++\"\n  - \"web dev\"\n"
                        "---\n\nBody.\n");
    fk_buf_release(&out);

    options.profile = FK_EXPORT_JEKYLL;
    options.title_heading = true;
    fk_export_document(&out, &a, &options);
    CHECK(strstr(out.data, "\nlast_modified_at: 2024-03-06T00:00:00Z\n"
                           "source_url: \"https://example.com/t\"\n") != NULL);
    CHECK(strstr(out.data, "tags:\n  - \"#x\"\n  - \"c++\"\n  - \"web dev\"\n"
                           "render_with_liquid: false\n---\n") != NULL);
    CHECK(strstr(out.data, "\n---\n\n# T\\: \\*one\\*\n\nBody.\n") != NULL);
    CHECK(strstr(out.data, "url:") == strstr(out.data, "source_url:") + 7);
    fk_buf_release(&out);

    options.profile = FK_EXPORT_OBSIDIAN;
    options.title_heading = false;
    a.title = "multi\nline # title";
    fk_export_document(&out, &a, &options);
    CHECK(strstr(out.data, "\nupdated: 2024-03-06T00:00:00Z\nurl: \"https://example.com/t\"\n") !=
          NULL);
    CHECK(strstr(out.data, "tags:\n  - \"x\"\n  - \"cplusplus\"\n  - \"web-dev\"\n"
                           "feed_tags:\n  - \"#x\"\n") != NULL);
    fk_buf_release(&out);
    options.title_heading = true;
    fk_export_document(&out, &a, &options);
    CHECK(strstr(out.data, "\n# multi line \\# title\n\nBody.\n") != NULL);
    fk_buf_release(&out);

    /* Tags that all become nothing, or the same tag. */
    const char *odd[] = {"#", "c#", "C#"};
    a.tags = odd;
    fk_export_front_matter(&out, &a, FK_EXPORT_OBSIDIAN);
    CHECK(strstr(out.data, "tags:\n  - \"csharp\"\nfeed_tags:\n") != NULL);
    fk_buf_release(&out);
    a.ntags = 1;
    fk_export_front_matter(&out, &a, FK_EXPORT_OBSIDIAN);
    CHECK(strstr(out.data, "tags: []\nfeed_tags:\n  - \"#\"\n") != NULL);
    fk_buf_release(&out);
}

/* --- YAML ----------------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *yaml;
} yaml_cases[] = {
    {"plain", "\"plain\""},
    {"", "\"\""},
    {"say \"hi\": #1 \\ back", "\"say \\\"hi\\\": #1 \\\\ back\""},
    {"line\nbreak\r\ttab", "\"line\\nbreak\\r\\ttab\""},
    {"bell\x07 esc\x1b del\x7f", "\"bell\\x07 esc\\x1B del\\x7F\""},
    {"- leading dash", "\"- leading dash\""},
    {"? ! & * [ { | > % @ ` ,", "\"? ! & * [ { | > % @ ` ,\""},
    {"yes", "\"yes\""},
    {"null", "\"null\""},
    {"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80", "\"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80\""},
    {"c1\xC2\x85nel\xC2\x9F", "\"c1\\x85nel\\x9F\""},
    {"ls\xE2\x80\xA8ps\xE2\x80\xA9"
     "bom\xEF\xBB\xBF",
     "\"ls\\u2028ps\\u2029bom\\uFEFF\""},
    {"nbsp\xC2\xA0kept", "\"nbsp\xC2\xA0kept\""},
    {"bad\xFF\xC3", "\"bad\xEF\xBF\xBD\xEF\xBF\xBD\""},
};

/* Read a double-quoted YAML scalar back (the escapes the writer uses). */
static char *yaml_unquote(const char *s)
{
    struct fk_buf out = FK_BUF_INIT;
    if (*s++ != '"')
        return NULL;
    for (; *s && *s != '"'; s++) {
        if (*s != '\\') {
            fk_buf_addc(&out, *s);
            continue;
        }
        s++;
        char hex[5] = "";
        unsigned long c = 0;
        switch (*s) {
        case 'n':
            fk_buf_addc(&out, '\n');
            break;
        case 't':
            fk_buf_addc(&out, '\t');
            break;
        case 'r':
            fk_buf_addc(&out, '\r');
            break;
        case '"':
        case '\\':
            fk_buf_addc(&out, *s);
            break;
        case 'x':
        case 'u':
            memcpy(hex, s + 1, *s == 'x' ? 2 : 4);
            c = strtoul(hex, NULL, 16);
            s += strlen(hex);
            if (c < 0x80) {
                fk_buf_addc(&out, (char)c);
            } else if (c < 0x800) {
                fk_buf_addc(&out, (char)(0xC0 | c >> 6));
                fk_buf_addc(&out, (char)(0x80 | (c & 0x3F)));
            } else {
                fk_buf_addc(&out, (char)(0xE0 | c >> 12));
                fk_buf_addc(&out, (char)(0x80 | ((c >> 6) & 0x3F)));
                fk_buf_addc(&out, (char)(0x80 | (c & 0x3F)));
            }
            break;
        default:
            fk_buf_release(&out);
            return NULL;
        }
    }
    if (*s != '"' || s[1]) {
        fk_buf_release(&out);
        return NULL;
    }
    return fk_buf_detach(&out);
}

static void test_yaml_strings(void)
{
    for (size_t i = 0; i < sizeof yaml_cases / sizeof yaml_cases[0]; i++) {
        struct fk_buf out = FK_BUF_INIT;
        fk_export_yaml_string(&out, yaml_cases[i].in);
        CHECK_STR(out.data, yaml_cases[i].yaml);
        /* One line, no control characters, and it reads back (inputs that
         * are valid UTF-8). */
        for (const char *p = out.data; *p; p++)
            CHECK((unsigned char)*p >= 0x20 && *p != 0x7F);
        char *back = yaml_unquote(out.data);
        if (!strstr(yaml_cases[i].in, "bad"))
            CHECK_STR(back, yaml_cases[i].in);
        free(back);
        fk_buf_release(&out);
    }
    struct fk_buf out = FK_BUF_INIT;
    fk_export_yaml_string(&out, NULL);
    CHECK_STR(out.data, "\"\"");
    fk_buf_release(&out);

    /* Every byte value: always one valid line. */
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    fk_export_yaml_string(&out, all);
    CHECK(strchr(out.data, '\n') == NULL);
    CHECK(out.data[out.len - 1] == '"');
    fk_buf_release(&out);
}

static void test_front_matter(void)
{
    const char *tags[] = {"c", "yaml: tricky"};
    struct fk_article a = {0};
    a.id = 1;
    a.title = "Title: \"quoted\"\n#not a comment";
    a.author = "Ann";
    a.published = fk_date_parse_iso("2024-03-05T10:11:12Z");
    a.updated = FK_TIME_NONE;
    a.date = a.published; /* as the store gives it */
    a.url = "https://dev.to/ann/title-1";
    a.guid = "https://dev.to/ann/title-1";
    a.feed_url = "https://dev.to/feed/ann";
    a.tags = tags;
    a.ntags = 2;
    a.markdown = "# Heading\n\n``` python\nprint(1)\n```\n";
    struct fk_buf out = FK_BUF_INIT;
    fk_export_document(&out, &a, NULL);
    CHECK_STR(out.data, "---\n"
                        "title: \"Title: \\\"quoted\\\"\\n#not a comment\"\n"
                        "author: \"Ann\"\n"
                        "date: 2024-03-05T10:11:12Z\n"
                        "url: \"https://dev.to/ann/title-1\"\n"
                        "guid: \"https://dev.to/ann/title-1\"\n"
                        "feed: \"https://dev.to/feed/ann\"\n"
                        "tags:\n"
                        "  - \"c\"\n"
                        "  - \"yaml: tricky\"\n"
                        "---\n"
                        "\n"
                        "# Heading\n\n``` python\nprint(1)\n```\n");
    fk_buf_release(&out);

    /* an article with an updated date only: that is its date */
    a.published = FK_TIME_NONE;
    a.updated = a.date = fk_date_parse_iso("2024-03-06T00:00:00Z");
    a.tags = NULL;
    a.ntags = 0;
    a.markdown = "";
    fk_export_front_matter(&out, &a, FK_EXPORT_PLAIN);
    CHECK(strstr(out.data, "\ndate: 2024-03-06T00:00:00Z\nupdated: 2024-03-06T00:00:00Z\n") !=
          NULL);
    fk_buf_release(&out);

    struct fk_article empty = {0};
    empty.published = empty.updated = empty.date = FK_TIME_NONE;
    fk_export_document(&out, &empty, NULL);
    CHECK_STR(out.data, "---\ntags: []\n---\n");
    fk_buf_release(&out);
}

/* --- writing -------------------------------------------------------------------- */

static char *read_at(int dir_fd, const char *name)
{
    int fd = openat(dir_fd, name, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct fk_buf out = FK_BUF_INIT;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        fk_buf_add(&out, chunk, (size_t)n);
    close(fd);
    return fk_buf_detach(&out);
}

static size_t count_entries(const char *path)
{
    DIR *d = opendir(path);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void test_write(void)
{
    const char *tmpdir = getenv("TMPDIR");
    char root[200];
    snprintf(root, sizeof root, "%s/fk-export-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(root)) {
        CHECK(0);
        return;
    }
    char dir[256], outside[256], link[512];
    snprintf(dir, sizeof dir, "%s/a/b/out", root);
    snprintf(outside, sizeof outside, "%s/outside.md", root);
    struct fk_error err = {0};
    int fd = fk_export_open_dir(dir, &err);
    CHECK(fd >= 0);
    if (fd < 0) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    enum fk_export_write_result result = FK_EXPORT_KEPT;
    CHECK_INT(fk_export_write(fd, "x.md", "one\n", 4, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_WRITTEN);
    CHECK_INT(fk_export_write(fd, "x.md", "one\n", 4, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_KEPT);
    struct stat before, after;
    CHECK_INT(fstatat(fd, "x.md", &before, 0), 0);
    CHECK_INT(fk_export_write(fd, "x.md", "two\n", 4, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_WRITTEN);
    CHECK_INT(fstatat(fd, "x.md", &after, 0), 0);
    CHECK(before.st_ino != after.st_ino); /* a new file renamed over the old */
    char *text = read_at(fd, "x.md");
    CHECK_STR(text, "two\n");
    free(text);
    CHECK_INT(fk_export_write(fd, "x.md", "", 0, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_WRITTEN);
    CHECK_INT(fk_export_write(fd, "x.md", "", 0, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_KEPT);

    /* Names that are not plain file names are refused. */
    static const char *const bad_names[] = {
        "",     ".",        "..", ".hidden.md", "../x.md",       "a/b/c.md",   "/x.md",
        "a\nb", "tab\t.md", "a/", "a//b",       "../a/index.md", ".a/index.md"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        CHECK_INT(fk_export_write(fd, bad_names[i], "x", 1, &result, &err), -1);
        CHECK_INT(err.kind, FK_ERROR_USAGE);
    }
    char long_name[FK_EXPORT_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_INT(fk_export_write(fd, long_name, "x", 1, &result, &err), -1);

    /* A link in the directory is neither followed nor replaced. */
    FILE *f = fopen(outside, "w");
    fputs("outside\n", f);
    fclose(f);
    snprintf(link, sizeof link, "%s/link.md", dir);
    CHECK_INT(symlink(outside, link), 0);
    CHECK_INT(fk_export_write(fd, "link.md", "evil\n", 5, &result, &err), -1);
    CHECK(strstr(err.message, "symbolic link") != NULL);
    text = read_at(AT_FDCWD, outside);
    CHECK_STR(text, "outside\n");
    free(text);
    struct stat st;
    CHECK_INT(lstat(link, &st), 0);
    CHECK(S_ISLNK(st.st_mode));
    /* Nor a dangling one. */
    snprintf(link, sizeof link, "%s/dangling.md", dir);
    char target[512];
    snprintf(target, sizeof target, "%s/created-through-link.md", root);
    CHECK_INT(symlink(target, link), 0);
    CHECK_INT(fk_export_write(fd, "dangling.md", "evil\n", 5, &result, &err), -1);
    CHECK(access(target, F_OK) != 0);
    /* A directory in the way. */
    CHECK_INT(mkdirat(fd, "sub.md", 0777), 0);
    CHECK_INT(fk_export_write(fd, "sub.md", "x", 1, &result, &err), -1);

    /* No temporary files left behind: x.md, link.md, dangling.md, sub.md. */
    CHECK_INT(count_entries(dir), 4);
    close(fd);

    /* A file where the directory should be. */
    CHECK_INT(fk_export_open_dir(outside, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_DB);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/deeper", outside);
    CHECK_INT(fk_export_open_dir(sub, &err), -1);
    CHECK_INT(fk_export_open_dir("", &err), -1);

    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT(system(command), 0);
}

static void test_bundles_and_remove(void)
{
    const char *tmpdir = getenv("TMPDIR");
    char root[200];
    snprintf(root, sizeof root, "%s/fk-remove-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(root)) {
        CHECK(0);
        return;
    }
    struct fk_error err = {0};
    int fd = fk_export_open_dir(root, &err);
    CHECK(fd >= 0);
    enum fk_export_write_result result;
    enum fk_export_remove_result removed;
    /* A page bundle: the directory is made. */
    CHECK_INT(fk_export_write(fd, "page/index.md", "one\n", 4, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_WRITTEN);
    char *back = read_at(fd, "page/index.md");
    CHECK_STR(back, "one\n");
    free(back);
    CHECK_INT(fk_export_write(fd, "page/index.md", "one\n", 4, &result, &err), 0);
    CHECK_INT(result, FK_EXPORT_KEPT);
    /* Only what export wrote is removed, and the bundle with it. */
    uint64_t hash = fk_export_hash("one\n", 4);
    CHECK_INT(fk_export_remove(fd, "page/index.md", hash + 1, &removed, &err), 0);
    CHECK_INT(removed, FK_EXPORT_MODIFIED);
    CHECK_INT(fk_export_remove(fd, "page/index.md", hash, &removed, &err), 0);
    CHECK_INT(removed, FK_EXPORT_REMOVED);
    CHECK_INT(count_entries(root), 0);
    CHECK_INT(fk_export_remove(fd, "page/index.md", hash, &removed, &err), 0);
    CHECK_INT(removed, FK_EXPORT_ABSENT);
    /* A bundle holding something else stays. */
    CHECK_INT(fk_export_write(fd, "b/index.md", "x", 1, &result, &err), 0);
    CHECK_INT(fk_export_write(fd, "b/picture.png", "p", 1, &result, &err), 0);
    CHECK_INT(fk_export_remove(fd, "b/index.md", fk_export_hash("x", 1), &removed, &err), 0);
    CHECK_INT(removed, FK_EXPORT_REMOVED);
    CHECK_INT(count_entries(root), 1);
    /* Links are neither followed nor removed. */
    char outside[300], link[300];
    snprintf(outside, sizeof outside, "%s.outside", root);
    FILE *f = fopen(outside, "w");
    if (f) {
        fputs("x", f);
        fclose(f);
    }
    snprintf(link, sizeof link, "%s/l.md", root);
    CHECK_INT(symlink(outside, link), 0);
    CHECK_INT(fk_export_remove(fd, "l.md", fk_export_hash("x", 1), &removed, &err), -1);
    CHECK(strstr(err.message, "symbolic link") != NULL);
    snprintf(link, sizeof link, "%s/ld", root);
    CHECK_INT(symlink(root, link), 0);
    CHECK_INT(fk_export_write(fd, "ld/index.md", "x", 1, &result, &err), -1);
    CHECK_INT(fk_export_remove(fd, "ld/index.md", 0, &removed, &err), -1);
    CHECK_INT(fk_export_remove(fd, "../x.md", 0, &removed, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_USAGE);
    close(fd);
    unlink(outside);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT(system(command), 0);
}

/* --- assets ---------------------------------------------------------------------- */

static void test_asset_names(void)
{
    CHECK_STR(fk_export_asset_extension("image/png"), "png");
    CHECK_STR(fk_export_asset_extension("IMAGE/JPEG; q=1"), "jpg");
    CHECK_STR(fk_export_asset_extension("image/svg+xml"), "svg");
    CHECK_STR(fk_export_asset_extension("video/mp4"), "mp4");
    CHECK_STR(fk_export_asset_extension("audio/mpeg"), "mp3");
    CHECK_STR(fk_export_asset_extension("text/html"), "bin");
    CHECK_STR(fk_export_asset_extension("image/png/../x"), "bin");
    CHECK_STR(fk_export_asset_extension(NULL), "bin");
    unsigned char sha[32];
    for (int i = 0; i < 32; i++)
        sha[i] = (unsigned char)(0x3a + 17 * i);
    char name[FK_EXPORT_ASSET_NAME_SIZE];
    fk_export_asset_name(sha, "image/webp", name);
    CHECK_STR(name, "3a4b5c6d7e8fa0b1.webp");
    fk_export_asset_name(sha, "application/x-unknown", name);
    CHECK_STR(name, "3a4b5c6d7e8fa0b1.bin");

    char path[FK_EXPORT_ASSET_PATH_SIZE], link[FK_EXPORT_ASSET_PATH_SIZE];
    fk_export_asset_path(FK_EXPORT_HUGO, "2024-05-01-post", "f.png", path, link);
    CHECK_STR(path, "2024-05-01-post/f.png");
    CHECK_STR(link, "f.png");
    fk_export_asset_path(FK_EXPORT_OBSIDIAN, "2024-05-01-post", "f.png", path, link);
    CHECK_STR(path, "attachments/f.png");
    CHECK_STR(link, "attachments/f.png");
    fk_export_asset_path(FK_EXPORT_PLAIN, "2024-05-01-post", "f.png", path, link);
    CHECK_STR(path, "assets/f.png");
    fk_export_asset_path(FK_EXPORT_JEKYLL, "2024-05-01-post", "f.png", path, link);
    CHECK_STR(link, "assets/f.png");
    /* The longest article name still gives a path export can write. */
    char long_name[FK_EXPORT_NAME_MAX - 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    fk_export_asset_path(FK_EXPORT_HUGO, long_name, "3a4b5c6d7e8fa0b1.webp", path, link);
    CHECK_INT(strlen(path), sizeof long_name - 1 + 1 + 21);
}

static const struct {
    const char *markdown, *expected;
} rewrite_cases[] = {
    {"![a](https://x/a.png)\n", "![a](L1)\n"},
    {"![a](https://x/a.png \"t\")\n", "![a](L1 \"t\")\n"},
    {"![a](<https://x/a.png>)\n", "![a](<L1>)\n"},
    {"[![a](https://x/a.png)](https://x/a.png)\n", "[![a](L1)](L1)\n"},
    /* Only the URL itself, not one it starts, nor one in text or a query. */
    {"![a](https://x/a.png2)\n", "![a](https://x/a.png2)\n"},
    {"see https://x/a.png here\n", "see https://x/a.png here\n"},
    {"[x](https://r/?u=https://x/a.png)\n", "[x](https://r/?u=https://x/a.png)\n"},
    /* HTML blocks: attribute values, "&" written "&amp;". */
    {"<video poster=\"https://x/a.png\" src='https://x/b?a=1&amp;b=2'></video>\n",
     "<video poster=\"L1\" src='L2'></video>\n"},
    {"<img src=\"https://x/b?a=1&b=2\">", "<img src=\"L2\">"},
    /* Code shows what it shows. */
    {"```\n![a](https://x/a.png)\n```\n![a](https://x/a.png)\n",
     "```\n![a](https://x/a.png)\n```\n![a](L1)\n"},
    {"- item\n\n  ~~~~ md\n  ![a](https://x/a.png)\n  ~~~\n  ~~~~\n![b](https://x/a.png)",
     "- item\n\n  ~~~~ md\n  ![a](https://x/a.png)\n  ~~~\n  ~~~~\n![b](L1)"},
    {"", ""},
};

static void test_rewrite_links(void)
{
    const struct fk_export_link links[] = {
        {"https://x/a.png", "L1"},
        {"https://x/b?a=1&b=2", "L2"},
        {"https://x/a.png", "never: the first link of a URL wins"},
    };
    for (size_t i = 0; i < sizeof rewrite_cases / sizeof rewrite_cases[0]; i++) {
        struct fk_buf out = FK_BUF_INIT;
        fk_export_rewrite_links(&out, rewrite_cases[i].markdown, links, 3);
        CHECK_STR(out.data ? out.data : "", rewrite_cases[i].expected);
        fk_buf_release(&out);
    }
}

static void test_relative_links(void)
{
    static const char *const cases[][3] = {
        {"/site/content/posts", "/site/static/img", "../../static/img/"},
        {"/site/_posts", "/site/assets/feeds", "../assets/feeds/"},
        {"/a/b", "/a/b", ""},
        {"/a/b", "/a/b/c", "c/"},
        {"/a/bc", "/a/b", "../b/"},
        {"/a/b", "/a/bc/d", "../bc/d/"},
        {"/", "/x", "x/"},
        {"/x/y", "/", "../../"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_buf out = FK_BUF_INIT;
        fk_export_relative_dir(&out, cases[i][0], cases[i][1]);
        CHECK_STR(out.data ? out.data : "", cases[i][2]);
        fk_buf_release(&out);
    }
    struct fk_buf out = FK_BUF_INIT;
    fk_export_add_link(&out, "../my notes (old)/\"x\"<\x01>caf\xC3\xA9%20/");
    CHECK_STR(out.data, "../my%20notes%20%28old%29/%22x%22%3C%01%3Ecaf%C3%A9%20/");
    fk_buf_release(&out);
}

static void test_base64(void)
{
    static const char *const vectors[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        struct fk_buf out = FK_BUF_INIT;
        fk_export_base64(&out, vectors[i][0], strlen(vectors[i][0]));
        CHECK_STR(out.data ? out.data : "", vectors[i][1]);
        fk_buf_release(&out);
    }
    /* Past the encoder's chunk, every byte value. */
    unsigned char bytes[10000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + i / 256);
    struct fk_buf out = FK_BUF_INIT;
    fk_export_base64(&out, bytes, sizeof bytes);
    CHECK_INT(out.len, (sizeof bytes + 2) / 3 * 4);
    fk_buf_release(&out);
}

/* A decoder for the checks: the bytes of base64 text s (up to its first
 * character outside the alphabet) into out; returns their count. */
static size_t base64_decode(const char *s, unsigned char *out, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned value = 0;
    int bits = 0;
    size_t n = 0;
    for (; *s && *s != '='; s++) {
        const char *at = strchr(alphabet, *s);
        if (!at || !*s)
            break;
        value = (value << 6) | (unsigned)(at - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n < size)
                out[n] = (unsigned char)(value >> bits);
            n++;
        }
    }
    return n;
}

static char asset_root[200];

static const char *asset_path(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", asset_root, name);
    return path;
}

/* The images the archive test stores, and one it does not. */
static const unsigned char png_a[] = "\x89PNG\r\n\x1a\n the first picture";
static const unsigned char png_b[] = "\x89PNG\r\n\x1a\n the second one, longer";
static const unsigned char png_poster[] = "\x89PNG\r\n\x1a\n a poster";

static char article_html[] =
    "<p>Intro</p>"
    "<p><img src=\"https://img.example/a.png\" alt=\"A\" onerror=\"steal()\"></p>"
    "<p><img src=\"https://img.example/b.png?w=1&amp;h=2\" alt=\"B\"></p>"
    "<p><img src=\"https://img.example/remote.png\" alt=\"R\"></p>"
    "<script>steal()</script>"
    "<pre><code>![code](https://img.example/a.png)</code></pre>"
    "<video poster=\"https://img.example/poster.png\" src=\"https://img.example/v.mp4\"></video>";

static void put_bytes(struct fk_store *store, const char *url, const void *data, size_t size)
{
    struct fk_error err = {0};
    unsigned char sha[32];
    fk_sha256(data, size, sha);
    struct fk_asset_fetched fetched = {url, sha, "image/png", data, size, NULL, NULL, 1700000000};
    CHECK_INT(fk_store_put_asset(store, &fetched, NULL, &err), 0);
}

/* File an article of article_html (title title, guid guid) and record its
 * assets; returns its id. */
static int64_t file_with_assets(struct fk_store *store, char *guid, char *title)
{
    struct fk_error err = {0};
    struct fk_content content = {0};
    struct fk_item item = {0};
    item.guid = guid;
    item.url = guid;
    item.title = title;
    item.author = "Ada";
    item.content_html = article_html;
    item.base_url = "https://blog.example/feed";
    item.published = item.updated = 1714521600; /* 2024-05-01 */
    CHECK_INT(
        fk_content_from_html(article_html, strlen(article_html), item.base_url, &content, &err), 0);
    struct fk_store_pending *pending = NULL;
    enum fk_put_result result;
    int64_t id = 0;
    CHECK_INT(fk_store_begin_feed(store, "https://blog.example/feed", NULL, &err), 0);
    CHECK_INT(fk_store_find_item(store, &item, &pending, &err), 0);
    CHECK_INT(fk_store_put_item(store, pending, &content, &result, &err), 0);
    id = fk_store_pending_article(pending);
    CHECK_INT(fk_store_end_feed(store, true, NULL, &err), 0);
    struct fk_asset_ref refs[8];
    size_t nrefs = 0;
    for (size_t i = 0; i < content.nassets && nrefs < 8; i++) {
        refs[nrefs].url = content.assets[i].url;
        refs[nrefs].kind = content.assets[i].kind;
        refs[nrefs].linked = content.assets[i].in_markdown;
        nrefs++;
    }
    CHECK_INT(nrefs, 5); /* a, b, remote, poster, video */
    CHECK_INT(fk_store_set_article_assets(store, id, refs, nrefs, &err), 0);
    fk_content_release(&content);
    return id;
}

static struct fk_store *asset_archive(int64_t *first, int64_t *second)
{
    const char *tmpdir = getenv("TMPDIR");
    snprintf(asset_root, sizeof asset_root, "%s/fk-assets-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(asset_root))
        return NULL;
    struct fk_error err = {0};
    struct fk_store *store = fk_store_open(asset_path("archive.db"), &err);
    CHECK(store != NULL);
    if (!store)
        return NULL;
    *first = file_with_assets(store, "https://blog.example/one", "One");
    *second = file_with_assets(store, "https://blog.example/two", "Two");
    put_bytes(store, "https://img.example/a.png", png_a, sizeof png_a - 1);
    put_bytes(store, "https://img.example/b.png?w=1&h=2", png_b, sizeof png_b - 1);
    put_bytes(store, "https://img.example/poster.png", png_poster, sizeof png_poster - 1);
    return store;
}

static void asset_file(const void *data, size_t size, char *name)
{
    unsigned char sha[32];
    fk_sha256(data, size, sha);
    fk_export_asset_name(sha, "image/png", name);
}

/* Whether the file path in the export directory holds exactly data. */
static bool holds(int dir_fd, const char *path, const void *data, size_t size)
{
    struct stat st;
    if (fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size != size)
        return false;
    char *bytes = read_at(dir_fd, path);
    bool same = bytes && memcmp(bytes, data, size) == 0;
    free(bytes);
    return same;
}

/* Export the two articles for profile with --assets copy into a fresh
 * directory and check the files and links. */
static void check_copy(struct fk_store *store, int64_t first, int64_t second,
                       enum fk_export_profile profile, const char *dir_name)
{
    struct fk_error err = {0};
    int fd = fk_export_open_dir(asset_path(dir_name), &err);
    CHECK(fd >= 0);
    char a[FK_EXPORT_ASSET_NAME_SIZE], b[FK_EXPORT_ASSET_NAME_SIZE],
        poster[FK_EXPORT_ASSET_NAME_SIZE];
    asset_file(png_a, sizeof png_a - 1, a);
    asset_file(png_b, sizeof png_b - 1, b);
    asset_file(png_poster, sizeof png_poster - 1, poster);
    const char *prefix = profile == FK_EXPORT_OBSIDIAN ? "attachments/" : "assets/";
    bool bundle = profile == FK_EXPORT_HUGO;
    const int64_t ids[2] = {first, second};
    const char *names[2] = {"2024-05-01-one", "2024-05-01-two"};
    for (int i = 0; i < 2; i++) {
        struct fk_export_assets assets;
        CHECK_INT(fk_export_copy_assets(store, fd, profile, NULL, ids[i], names[i], &assets, &err),
                  0);
        /* Three stored, each written once: into each bundle, or once for
         * the whole directory. */
        CHECK_INT(assets.written, bundle || i == 0 ? 3 : 0);
        CHECK_INT(assets.kept, bundle || i == 0 ? 0 : 3);
        CHECK_INT(assets.failed, 0);
        CHECK_INT(assets.nlinks, 3);

        struct fk_article article;
        CHECK_INT(fk_store_get_article(store, ids[i], &article, &err), 0);
        struct fk_export_options options = {profile, false, assets.links, assets.nlinks, NULL};
        struct fk_buf doc = FK_BUF_INIT, expected = FK_BUF_INIT;
        fk_export_document(&doc, &article, &options);
        const char *link_prefix = bundle ? "" : prefix;
        fk_buf_printf(&expected, "![A](%s%s)", link_prefix, a);
        CHECK(strstr(doc.data, expected.data) != NULL);
        fk_buf_reset(&expected);
        fk_buf_printf(&expected, "![B](%s%s)", link_prefix, b);
        CHECK(strstr(doc.data, expected.data) != NULL);
        fk_buf_reset(&expected);
        fk_buf_printf(&expected, "poster=\"%s%s\"", link_prefix, poster);
        CHECK(strstr(doc.data, expected.data) != NULL);
        /* Not stored: remote; code: as it was. */
        CHECK(strstr(doc.data, "![R](https://img.example/remote.png)") != NULL);
        CHECK(strstr(doc.data, "![code](https://img.example/a.png)") != NULL);
        CHECK(strstr(doc.data, "src=\"https://img.example/v.mp4\"") != NULL);
        CHECK(strstr(doc.data, "](https://img.example/a.png)\n") == NULL ||
              strstr(doc.data, "![A](https://img.example/a.png)") == NULL);

        /* The files are where the links say, relative to the article. */
        char path[FK_EXPORT_ASSET_PATH_SIZE], link[FK_EXPORT_ASSET_PATH_SIZE];
        fk_export_asset_path(profile, names[i], a, path, link);
        CHECK(holds(fd, path, png_a, sizeof png_a - 1));
        fk_export_asset_path(profile, names[i], b, path, link);
        CHECK(holds(fd, path, png_b, sizeof png_b - 1));
        fk_export_asset_path(profile, names[i], poster, path, link);
        CHECK(holds(fd, path, png_poster, sizeof png_poster - 1));
        char page[FK_EXPORT_PATH_SIZE];
        fk_export_path(profile, names[i], page);
        enum fk_export_write_result result;
        CHECK_INT(fk_export_write(fd, page, doc.data, doc.len, &result, &err), 0);
        fk_buf_release(&doc);
        fk_buf_release(&expected);
        fk_article_release(&article);
        fk_export_assets_release(&assets);
    }
    /* Again: nothing is written. */
    struct fk_export_assets again;
    CHECK_INT(fk_export_copy_assets(store, fd, profile, NULL, first, names[0], &again, &err), 0);
    CHECK_INT(again.written, 0);
    CHECK_INT(again.kept, 3);
    fk_export_assets_release(&again);
    /* Hugo: two bundles of a page and three files; else two pages and one
     * folder of three files, shared. */
    CHECK_INT(count_entries(asset_path(dir_name)), bundle ? 2 : 3);
    char folder[300];
    snprintf(folder, sizeof folder, "%s/%s", dir_name, bundle ? names[1] : prefix);
    CHECK_INT(count_entries(asset_path(folder)), bundle ? 4 : 3);
    close(fd);
}

static void test_copy_assets(void)
{
    int64_t first = 0, second = 0;
    struct fk_store *store = asset_archive(&first, &second);
    if (!store)
        return;
    check_copy(store, first, second, FK_EXPORT_PLAIN, "plain");
    check_copy(store, first, second, FK_EXPORT_JEKYLL, "jekyll");
    check_copy(store, first, second, FK_EXPORT_OBSIDIAN, "obsidian");
    check_copy(store, first, second, FK_EXPORT_HUGO, "hugo");

    /* Remote: the Markdown as archived, byte for byte. */
    struct fk_error err = {0};
    struct fk_article article;
    CHECK_INT(fk_store_get_article(store, first, &article, &err), 0);
    struct fk_buf doc = FK_BUF_INIT, plain = FK_BUF_INIT;
    struct fk_export_options remote = {FK_EXPORT_HUGO, false, NULL, 0, NULL};
    fk_export_document(&doc, &article, &remote);
    fk_export_front_matter(&plain, &article, FK_EXPORT_HUGO);
    fk_buf_printf(&plain, "\n%s", article.markdown);
    CHECK_STR(doc.data, plain.data);
    fk_buf_release(&doc);
    fk_buf_release(&plain);
    fk_article_release(&article);

    /* A folder of its own, linked by a prefix: the files go right in it. */
    int folder_fd = fk_export_open_dir(asset_path("site/assets/feeds"), &err);
    int posts_fd = fk_export_open_dir(asset_path("site/_posts"), &err);
    CHECK(folder_fd >= 0 && posts_fd >= 0);
    struct fk_export_asset_folder folder = {folder_fd, "/assets/feeds/"};
    struct fk_export_assets in_folder;
    CHECK_INT(fk_export_copy_assets(store, posts_fd, FK_EXPORT_JEKYLL, &folder, first,
                                    "2024-05-01-one", &in_folder, &err),
              0);
    CHECK_INT(in_folder.written, 3);
    CHECK_INT(count_entries(asset_path("site/assets/feeds")), 3);
    CHECK_INT(count_entries(asset_path("site/_posts")), 0);
    char a_file[FK_EXPORT_ASSET_NAME_SIZE], a_link[100];
    asset_file(png_a, sizeof png_a - 1, a_file);
    snprintf(a_link, sizeof a_link, "/assets/feeds/%s", a_file);
    CHECK_STR(in_folder.links[0].url, "https://img.example/a.png");
    CHECK_STR(in_folder.links[0].target, a_link);
    fk_export_assets_release(&in_folder);
    /* Hugo has no shared folder: its bundles hold the files. */
    CHECK_INT(fk_export_copy_assets(store, posts_fd, FK_EXPORT_HUGO, &folder, first, "b",
                                    &in_folder, &err),
              0);
    CHECK_INT(in_folder.written, 3);
    CHECK_INT(count_entries(asset_path("site/_posts/b")), 3);
    fk_export_assets_release(&in_folder);
    close(folder_fd);
    close(posts_fd);

    /* A link where the asset folder goes: nothing is written through it,
     * and the URLs stay remote. */
    int fd = fk_export_open_dir(asset_path("linked"), &err);
    CHECK(fd >= 0);
    CHECK_INT(symlinkat(asset_root, fd, "assets"), 0);
    struct fk_export_assets assets;
    CHECK_INT(fk_export_copy_assets(store, fd, FK_EXPORT_PLAIN, NULL, first, "x", &assets, &err),
              0);
    CHECK_INT(assets.failed, 3);
    CHECK_INT(assets.nlinks, 0);
    CHECK(strstr(assets.failure.message, "assets") != NULL);
    fk_export_assets_release(&assets);
    close(fd);

    /* Removing a bundle's page takes the asset files export wrote with
     * it; a file changed since stays, and so does its bundle. */
    fd = fk_export_open_dir(asset_path("hugo"), &err);
    char page[FK_EXPORT_PATH_SIZE], *text;
    enum fk_export_remove_result removed;
    fk_export_path(FK_EXPORT_HUGO, "2024-05-01-one", page);
    text = read_at(fd, page);
    CHECK_INT(fk_export_remove(fd, page, fk_export_hash(text, strlen(text)), &removed, &err), 0);
    CHECK_INT(removed, FK_EXPORT_REMOVED);
    free(text);
    CHECK_INT(count_entries(asset_path("hugo")), 1);
    char a[FK_EXPORT_ASSET_NAME_SIZE], changed[300];
    asset_file(png_a, sizeof png_a - 1, a);
    snprintf(changed, sizeof changed, "2024-05-01-two/%s", a);
    enum fk_export_write_result result;
    CHECK_INT(fk_export_write(fd, changed, "edited", 6, &result, &err), 0);
    fk_export_path(FK_EXPORT_HUGO, "2024-05-01-two", page);
    text = read_at(fd, page);
    CHECK_INT(fk_export_remove(fd, page, fk_export_hash(text, strlen(text)), &removed, &err), 0);
    free(text);
    CHECK_INT(count_entries(asset_path("hugo/2024-05-01-two")), 1);
    close(fd);

    fk_store_close(store);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", asset_root);
    CHECK_INT(system(command), 0);
}

/* The bytes of the data: URI that follows marker in page; 0 when none. */
static size_t data_uri_after(const char *page, const char *marker, unsigned char *out, size_t size)
{
    const char *at = strstr(page, marker);
    return at ? base64_decode(at + strlen(marker), out, size) : 0;
}

static void test_html_page(void)
{
    int64_t first = 0, second = 0;
    struct fk_store *store = asset_archive(&first, &second);
    if (!store)
        return;
    struct fk_error err = {0};
    struct fk_article article;
    CHECK_INT(fk_store_get_article(store, first, &article, &err), 0);
    article.title = "<script>alert(1)</script> & more";
    struct fk_buf page = FK_BUF_INIT;
    size_t inlined = 0, remote = 0;
    CHECK_INT(fk_export_html_page(&page, store, &article, &inlined, &remote, &err), 0);
    CHECK_INT(inlined, 3);
    CHECK_INT(remote, 0);
    const char *html = page.data;
    CHECK(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
    CHECK(strstr(html, "<meta charset=\"utf-8\">") != NULL);
    CHECK(strstr(html, "Content-Security-Policy") != NULL);
    CHECK(strstr(html, "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>") != NULL);
    CHECK(strstr(html, "By Ada") != NULL);
    CHECK(strstr(html, "2024-05-01T00:00:00Z") != NULL);
    CHECK(strstr(html, "<a href=\"https://blog.example/one\">") != NULL);
    /* Nothing runs. */
    size_t active = 0;
    for (const char *p = html; *p; p++)
        active += strncasecmp(p, "<script", 7) == 0 || strncasecmp(p, "onerror", 7) == 0;
    CHECK_INT(active, 0);
    /* The stored images inline, byte for byte; the others links. */
    unsigned char bytes[256];
    CHECK_INT(data_uri_after(html, "alt=\"A\"", bytes, sizeof bytes), 0); /* src comes first */
    size_t n = data_uri_after(html, "<img src=\"data:image/png;base64,", bytes, sizeof bytes);
    CHECK_INT(n, sizeof png_a - 1);
    CHECK(memcmp(bytes, png_a, sizeof png_a - 1) == 0);
    n = data_uri_after(html, "poster=\"data:image/png;base64,", bytes, sizeof bytes);
    CHECK_INT(n, sizeof png_poster - 1);
    CHECK(memcmp(bytes, png_poster, sizeof png_poster - 1) == 0);
    const char *b = strstr(html, "alt=\"B\"");
    CHECK(b != NULL);
    CHECK(strstr(html, "src=\"https://img.example/remote.png\"") != NULL);
    CHECK(strstr(html, "https://img.example/b.png") == NULL);
    CHECK(strstr(html, "</article>\n</body>\n</html>\n") != NULL);
    fk_buf_release(&page);
    fk_article_release(&article);
    fk_store_close(store);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", asset_root);
    CHECK_INT(system(command), 0);
}

static void check_escaped(const char *markdown, const char *expected)
{
    struct fk_buf out = FK_BUF_INIT;
    fk_export_escape_shortcodes(&out, markdown);
    CHECK_STR(out.data ? out.data : "", expected);
    fk_buf_release(&out);
}

static void test_shortcodes(void)
{
    check_escaped("", "");
    check_escaped("no braces {{ x }} {x}", "no braces {{ x }} {x}");
    check_escaped("{{< youtube abc >}}", "{{</* youtube abc */>}}");
    check_escaped("a {{% notice %}}b{{% /notice %}} c",
                  "a {{%/* notice */%}}b{{%/* /notice */%}} c");
    /* a closing delimiter of the other kind does not close it */
    check_escaped("{{< a %}} b >}}", "{{</* a %}} b */>}}");
    /* inside it, another opening is text */
    check_escaped("{{< a {{< b >}}", "{{</* a {{< b */>}}");
    /* never closed */
    check_escaped("{{% open", "{{\xE2\x80\x8B% open");
    check_escaped("x {{<", "x {{\xE2\x80\x8B<");
    check_escaped("{{{< y >}}", "{{{</* y */>}}");

    /* the profiles: Hugo escapes them, Jekyll turns Liquid off */
    struct fk_article a = {0};
    a.title = "T";
    a.markdown = "Vue: {{ m }} and {{< x >}}\n";
    a.date = a.published = a.updated = FK_TIME_NONE;
    struct fk_buf out = FK_BUF_INIT;
    struct fk_export_options hugo = {FK_EXPORT_HUGO, false, NULL, 0, "https://blog.example/t"};
    fk_export_document(&out, &a, &hugo);
    CHECK(strstr(out.data, "canonical_url: \"https://blog.example/t\"\n") != NULL);
    CHECK(strstr(out.data, "\nVue: {{ m }} and {{</* x */>}}\n") != NULL);
    CHECK(strstr(out.data, "render_with_liquid") == NULL);
    fk_buf_reset(&out);
    struct fk_export_options jekyll = {FK_EXPORT_JEKYLL, false, NULL, 0, NULL};
    fk_export_document(&out, &a, &jekyll);
    CHECK(strstr(out.data, "render_with_liquid: false\n---\n") != NULL);
    CHECK(strstr(out.data, "\nVue: {{ m }} and {{< x >}}\n") != NULL);
    CHECK(strstr(out.data, "canonical_url") == NULL);
    fk_buf_release(&out);
}

int main(void)
{
    RUN(test_slugs);
    RUN(test_shortcodes);
    RUN(test_base_names);
    RUN(test_unique_names);
    RUN(test_utf8_slugs);
    RUN(test_paths);
    RUN(test_tags);
    RUN(test_profiles);
    RUN(test_yaml_strings);
    RUN(test_front_matter);
    RUN(test_write);
    RUN(test_bundles_and_remove);
    RUN(test_asset_names);
    RUN(test_rewrite_links);
    RUN(test_relative_links);
    RUN(test_base64);
    RUN(test_copy_assets);
    RUN(test_html_page);
    return DONE();
}
