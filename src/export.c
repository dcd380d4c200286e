/* export.c - archived articles as Markdown files with YAML front matter.
 *
 * File names come from titles, which come from feeds, so they are built
 * from a small alphabet (ASCII letters, digits, "-") and every write goes
 * through a descriptor of the export directory with O_NOFOLLOW: nothing a
 * feed sends, and no link someone put in the directory, can make export
 * write elsewhere.
 */
#include "feedkeep/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feedkeep/ascii.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/hash.h"
#include "feedkeep/json.h"
#include "feedkeep/media.h"
#include "feedkeep/sha256.h"
#include "feedkeep/utf8.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* The extensions of the media types fk_media_sniff gives. */
static const struct {
    const char *mime, *extension;
} extensions[] = {
    {"image/png", "png"},       {"image/jpeg", "jpg"},      {"image/gif", "gif"},
    {"image/webp", "webp"},     {"image/avif", "avif"},     {"image/svg+xml", "svg"},
    {"image/heic", "heic"},     {"image/heif", "heif"},     {"image/bmp", "bmp"},
    {"image/x-icon", "ico"},    {"image/tiff", "tiff"},     {"video/mp4", "mp4"},
    {"video/quicktime", "mov"}, {"video/webm", "webm"},     {"video/x-matroska", "mkv"},
    {"video/ogg", "ogv"},       {"video/x-msvideo", "avi"}, {"audio/mp4", "m4a"},
    {"audio/mpeg", "mp3"},      {"audio/ogg", "ogg"},       {"audio/wav", "wav"},
    {"audio/flac", "flac"},     {"audio/webm", "weba"},     {"audio/x-matroska", "mka"},
};

/* The 64 hex digits of a SHA-256, lower case, into hex (65 bytes). */
static void hex_of(const unsigned char sha256[32], char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[sha256[i] >> 4];
        hex[2 * i + 1] = digits[sha256[i] & 15];
    }
    hex[64] = '\0';
}

/* --- names ------------------------------------------------------------------ */

static bool is_slug_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The Latin-1 letters U+00C0-U+00FF (UTF-8 C3 80 to C3 BF) without their
 * accents, so "Café" is "cafe"; "" for the two signs among them. Other
 * characters are not transliterated. */
static const char *const latin1_letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Apostrophes join a word rather than split it: "What's" is "whats". */
static size_t apostrophe_at(const char *p)
{
    if (*p == '\'')
        return 1;
    if (strncmp(p, "\xE2\x80\x99", 3) == 0) /* U+2019 */
        return 3;
    return 0;
}

/* The character at p (NUL-terminated): its length, and its code point in
 * *c, or U+FFFD for a byte that does not start a valid UTF-8 sequence
 * (length 1). */
static size_t next_char(const char *p, uint32_t *c)
{
    size_t n = fk_utf8_decode(p, FK_UTF8_MAX, c);
    if (!n) {
        *c = 0xFFFD;
        return 1;
    }
    return n;
}

/* Code points outside ASCII that separate words in a slug rather than
 * belong to one: punctuation, symbols, emoji, and characters that cannot
 * be seen (fillers, direction marks, joiners, variation selectors),
 * which would make two names look alike. Every other code point is taken
 * for a letter or digit. Sorted, for a binary search. */
static const struct range {
    uint32_t first, last;
} separators[] = {
    {0x0080, 0x00BF},   /* Latin-1 controls, punctuation and signs */
    {0x00D7, 0x00D7},   /* multiplication sign */
    {0x00F7, 0x00F7},   /* division sign */
    {0x034F, 0x034F},   /* combining grapheme joiner */
    {0x037E, 0x037E},   /* Greek question mark */
    {0x0387, 0x0387},   /* Greek ano teleia */
    {0x055A, 0x055F},   /* Armenian punctuation */
    {0x0589, 0x058A},   /* Armenian full stop, hyphen */
    {0x060C, 0x060D},   /* Arabic comma, date separator */
    {0x061B, 0x061F},   /* Arabic semicolon, letter mark, question mark */
    {0x066A, 0x066D},   /* Arabic percent, separators, star */
    {0x06D4, 0x06D4},   /* Arabic full stop */
    {0x0964, 0x0965},   /* Devanagari danda */
    {0x0E5A, 0x0E5B},   /* Thai punctuation */
    {0x115F, 0x1160},   /* Hangul fillers */
    {0x17B4, 0x17B5},   /* Khmer invisible vowels */
    {0x180B, 0x180F},   /* Mongolian variation selectors, vowel separator */
    {0x2000, 0x2BFF},   /* general punctuation to miscellaneous symbols and arrows */
    {0x2E00, 0x2E7F},   /* supplemental punctuation */
    {0x3000, 0x303F},   /* CJK symbols and punctuation */
    {0x3164, 0x3164},   /* Hangul filler */
    {0xD800, 0xF8FF},   /* surrogates, private use */
    {0xFD3E, 0xFD3F},   /* ornate parentheses */
    {0xFDD0, 0xFDEF},   /* non-characters */
    {0xFE00, 0xFE1F},   /* variation selectors, vertical forms */
    {0xFE30, 0xFE6F},   /* CJK compatibility and small form punctuation */
    {0xFEFF, 0xFEFF},   /* byte order mark */
    {0xFF00, 0xFF0F},   /* fullwidth punctuation ... */
    {0xFF1A, 0xFF20},   /* ... */
    {0xFF3B, 0xFF40},   /* ... */
    {0xFF5B, 0xFF65},   /* ... and halfwidth CJK punctuation */
    {0xFFA0, 0xFFA0},   /* halfwidth Hangul filler */
    {0xFFF0, 0xFFFF},   /* specials, U+FFFD */
    {0x1D173, 0x1D17A}, /* musical formatting */
    {0x1F000, 0x1FBFF}, /* emoji, game pieces, pictographs, symbols */
    {0xE0000, 0x10FFFF} /* tags, variation selectors, private use planes */
};

static bool is_separator(uint32_t c)
{
    size_t low = 0, high = sizeof separators / sizeof separators[0];
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (c < separators[mid].first)
            high = mid;
        else if (c > separators[mid].last)
            low = mid + 1;
        else
            return true;
    }
    return false;
}

/* The lower case of c in the scripts listed in export.h; other code points
 * as they are. Pairs alternate upper, lower in most of these blocks. */
static uint32_t lower_case(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130) /* I with dot above */
            return 'i';
        if (c == 0x178) /* Y with diaeresis */
            return 0xFF;
        if (c <= 0x137 || (c >= 0x14A && c <= 0x177))
            return c | 1;
        if ((c >= 0x139 && c <= 0x148) || c >= 0x179)
            return c & 1 ? c + 1 : c;
        return c;
    }
    if (c >= 0x386 && c <= 0x3AB) { /* Greek */
        if (c == 0x386)
            return 0x3AC;
        if (c >= 0x388 && c <= 0x38A)
            return c + 0x25;
        if (c == 0x38C)
            return 0x3CC;
        if (c == 0x38E || c == 0x38F)
            return c + 0x3F;
        if (c >= 0x391 && c != 0x3A2)
            return c + 0x20;
        return c;
    }
    if (c >= 0x400 && c <= 0x52F) { /* Cyrillic */
        if (c <= 0x40F)
            return c + 0x50;
        if (c <= 0x42F)
            return c + 0x20;
        if (c == 0x4C0)
            return 0x4CF;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
            return c | 1;
        if (c >= 0x4C1 && c <= 0x4CE)
            return c & 1 ? c + 1 : c;
        return c;
    }
    if (c >= 0x1E00 && c <= 0x1EFF) { /* Latin Extended Additional */
        if (c == 0x1E9E)              /* capital sharp s */
            return 0xDF;
        if (c <= 0x1E95 || c >= 0x1EA0)
            return c | 1;
        return c;
    }
    if (c >= 0xFF21 && c <= 0xFF3A) /* fullwidth Latin capitals */
        return c + 0x20;
    return c;
}

/* The slug of title; letters and digits of every script with utf8, else
 * the ASCII ones and transliterated Latin-1 letters. */
static size_t make_slug(const char *title, char *out, size_t size, bool utf8)
{
    size_t max = size ? size - 1 : 0;
    if (max > FK_EXPORT_SLUG_MAX)
        max = FK_EXPORT_SLUG_MAX;
    size_t len = 0;
    bool dash = false, cut = false;
    for (const char *p = title ? title : ""; *p && !cut;) {
        size_t skip = apostrophe_at(p);
        if (skip) {
            p += skip;
            continue;
        }
        const unsigned char *u = (const unsigned char *)p;
        const char *letters = NULL;
        char one[5] = "";
        size_t n = 0;
        if (is_slug_char(u[0])) {
            one[0] = (char)lower_case(u[0]);
            letters = one;
            n = 1;
            p++;
        } else if (utf8 && u[0] >= 0x80) {
            uint32_t c;
            p += next_char(p, &c);
            if (!is_separator(c)) {
                n = fk_utf8_encode(lower_case(c), one);
                letters = one;
            }
        } else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0xBF) {
            letters = latin1_letters[u[1] - 0x80];
            n = strlen(letters);
            p += 2;
        } else {
            p++;
        }
        if (!n) {
            dash = len > 0;
            continue;
        }
        if (len + (dash ? 1 : 0) + n > max) {
            cut = true;
            break;
        }
        if (dash)
            out[len++] = '-';
        dash = false;
        memcpy(out + len, letters, n);
        len += n;
    }
    /* A word cut in the middle reads badly: end at the last whole word
     * when that keeps most of the slug. */
    if (cut && len < size) {
        out[len] = '\0';
        char *last_dash = strrchr(out, '-');
        if (last_dash && (size_t)(last_dash - out) >= max / 2)
            len = (size_t)(last_dash - out);
    }
    if (size)
        out[len] = '\0';
    return len;
}

size_t fk_export_slug(const char *title, char *out, size_t size)
{
    return make_slug(title, out, size, false);
}

size_t fk_export_slug_utf8(const char *title, char *out, size_t size)
{
    return make_slug(title, out, size, true);
}

/* 32-bit FNV-1a: a stable, short tag for a key. */
static uint32_t hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void fk_export_base_name(int64_t published, int64_t updated, const char *title, const char *key,
                         bool ascii, char *out)
{
    char date[FK_DATE_BUFSIZE] = "";
    int64_t when = published != FK_TIME_NONE ? published : updated;
    if (when != FK_TIME_NONE)
        fk_date_format(when, date);
    if (date[0])
        date[10] = '\0'; /* YYYY-MM-DD */
    char slug[FK_EXPORT_SLUG_MAX + 1];
    if (!make_slug(title, slug, sizeof slug, !ascii)) {
        if (key && *key)
            snprintf(slug, sizeof slug, "%08lx", (unsigned long)hash32(key));
        else
            snprintf(slug, sizeof slug, "untitled");
    }
    snprintf(out, FK_EXPORT_NAME_SIZE, "%.10s-%s", date[0] ? date : "undated", slug);
}

/* Cut s to at most max bytes, on a character boundary. */
static void cut_utf8(char *s, size_t max)
{
    size_t len = strlen(s);
    if (len <= max)
        return;
    /* Back to the start of the character that straddles the cut. */
    s[fk_utf8_boundary(s, max)] = '\0';
}

/* The articles that wanted a name another has, met by name wanted, then
 * by id: the last name they wanted and the suffix the last of them got. */
struct suffixes {
    struct fk_store *store;
    char wanted[FK_EXPORT_NAME_SIZE];
    unsigned long last;
    struct fk_error *err;
};

/* Give the article numbered number the first free of name-2, name-3...
 * The names taken only grow, so the first free suffix of a name never
 * goes down: the search starts after the one the last article wanting
 * the same name got. Articles wanting other names cannot take these (a
 * base name leaves room for "-NNNNNNN" within the cut, and the part after
 * the last "-" is the suffix), so taking them by name and then by id
 * gives what taking them all by id would. */
static int give_suffix(int64_t number, const char *name, void *ctx)
{
    struct suffixes *s = ctx;
    unsigned long n = 2;
    if (strcmp(name, s->wanted) == 0)
        n = s->last + 1;
    else
        snprintf(s->wanted, sizeof s->wanted, "%s", name);
    /* Base names leave room for the suffix and ".md" (FK_EXPORT_SLUG_MAX). */
    char candidate[FK_EXPORT_NAME_SIZE + 24];
    for (;; n++) {
        bool given;
        snprintf(candidate, sizeof candidate, "%.*s-%lu", FK_EXPORT_NAME_MAX, name, n);
        cut_utf8(candidate, FK_EXPORT_NAME_MAX - 3);
        if (fk_store_export_try_name(s->store, number, candidate, &given, s->err) < 0)
            return -1;
        if (given)
            break;
    }
    s->last = n;
    return 0;
}

int fk_export_name_articles(struct fk_store *store, struct fk_error *err)
{
    /* Names given by earlier exports stay; then every other name goes to
     * the lowest id wanting it, so an article whose own name looks like a
     * suffixed one ("part-2") keeps it... */
    int64_t clashes = 0;
    if (fk_store_export_claim(store, FK_EXPORT_NAME_MAX - 3, &clashes, err) < 0)
        return -1;
    if (!clashes)
        return 0;
    /* ...then the others take the first free suffix. */
    struct suffixes s = {store, "", 0, err};
    return fk_store_export_each_clash(store, give_suffix, &s, err) ? -1 : 0;
}

/* How a profile writes tags; the feed's go to feed_tags when they are
 * rewritten. */
enum tag_rule {
    TAGS_AS_IS,
    TAGS_HUGO,     /* fk_export_hugo_tag */
    TAGS_OBSIDIAN, /* fk_export_obsidian_tag */
};

static const struct profile {
    const char *name;
    const char *updated_key; /* the key of the updated date */
    const char *url_key;     /* the key of the article's link */
    bool bundle;             /* NAME/index.md */
    enum tag_rule tags;
    /* What in an article the tool would take for its own template syntax
     * and refuse or run: Hugo's shortcodes, escaped in the body; Jekyll's
     * Liquid, turned off for the page (render_with_liquid, Jekyll 4). */
    bool escape_shortcodes;
    bool no_liquid;
} profiles[FK_EXPORT_PROFILE_COUNT] = {
    /* Hugo takes url for the page's own path (and refuses one with a
     * scheme), and reserves slug, summary, type, layout; Jekyll reserves
     * permalink and layout. */
    [FK_EXPORT_PLAIN] = {"plain", "updated", "url", false, TAGS_AS_IS, false, false},
    [FK_EXPORT_HUGO] = {"hugo", "lastmod", "source_url", true, TAGS_HUGO, true, false},
    [FK_EXPORT_JEKYLL] = {"jekyll", "last_modified_at", "source_url", false, TAGS_AS_IS, false,
                          true},
    [FK_EXPORT_OBSIDIAN] = {"obsidian", "updated", "url", false, TAGS_OBSIDIAN, false, false},
};

static const struct profile *profile_of(enum fk_export_profile profile)
{
    return (unsigned)profile < FK_EXPORT_PROFILE_COUNT ? &profiles[profile]
                                                       : &profiles[FK_EXPORT_PLAIN];
}

int fk_export_profile_from_name(const char *name, enum fk_export_profile *profile)
{
    for (int i = 0; i < FK_EXPORT_PROFILE_COUNT; i++) {
        if (name && strcmp(name, profiles[i].name) == 0) {
            *profile = (enum fk_export_profile)i;
            return 0;
        }
    }
    return -1;
}

void fk_export_path(enum fk_export_profile profile, const char *name, char *out)
{
    snprintf(out, FK_EXPORT_PATH_SIZE, "%.*s%s", FK_EXPORT_NAME_MAX - 3, name,
             profile_of(profile)->bundle ? "/index.md" : ".md");
}

/* A tag without the '#' marks before it (NULL: ""). */
static const char *tag_body(const char *tag)
{
    const char *p = tag ? tag : "";
    while (*p == '#')
        p++;
    return p;
}

/* What Obsidian makes of a character that cannot be in a tag. */
static const struct {
    char c;
    const char *word;
} tag_words[] = {
    {'+', "plus"},
    {'#', "sharp"},
};

size_t fk_export_obsidian_tag(const char *tag, char *out, size_t size)
{
    size_t len = 0;
    bool dash = false, digits_only = true;
    const char *p = tag_body(tag);
    if (!size)
        return 0;
    while (*p) {
        char one[8];
        const char *word = NULL;
        size_t n = 0;
        unsigned char u = (unsigned char)*p;
        if (is_slug_char(u) || u == '_' || u == '/') {
            one[0] = (char)lower_case(u);
            n = 1;
            p++;
        } else if (u >= 0x80) {
            uint32_t c;
            p += next_char(p, &c);
            if (!is_separator(c))
                n = fk_utf8_encode(lower_case(c), one);
        } else {
            for (size_t i = 0; i < sizeof tag_words / sizeof tag_words[0]; i++)
                if (tag_words[i].c == *p)
                    word = tag_words[i].word;
            p++;
        }
        if (word) {
            n = strlen(word);
            memcpy(one, word, n);
        }
        if (!n) {
            dash = len > 0;
            continue;
        }
        if (len + (dash ? 1 : 0) + n + 1 > size - 1) /* room for a "_" */
            break;
        if (dash && out[len - 1] != '/')
            out[len++] = '-';
        dash = false;
        memcpy(out + len, one, n);
        len += n;
    }
    while (len && (out[len - 1] == '/' || out[len - 1] == '-'))
        len--;
    size_t start = 0;
    while (start < len && out[start] == '/')
        start++;
    memmove(out, out + start, len - start);
    len -= start;
    for (size_t i = 0; i < len && digits_only; i++)
        digits_only = out[i] >= '0' && out[i] <= '9';
    if (len && digits_only) {
        memmove(out + 1, out, len);
        out[0] = '_';
        len++;
    }
    out[len] = '\0';
    return len;
}

size_t fk_export_hugo_tag(const char *tag, char *out, size_t size)
{
    size_t len = 0;
    const char *p = tag_body(tag);
    if (!size)
        return 0;
    while (*p) {
        const char *word = *p == '#' ? "sharp" : *p == '?' || *p == '%' ? "-" : NULL;
        uint32_t c;
        size_t step = word ? 1 : next_char(p, &c); /* whole characters only */
        size_t n = word ? strlen(word) : step;
        if (len + n > size - 1)
            break;
        memcpy(out + len, word ? word : p, n);
        len += n;
        p += step;
    }
    out[len] = '\0';
    return len;
}

uint64_t fk_export_hash(const void *data, size_t len)
{
    return fk_fnv1a64(data, len);
}

/* --- front matter ------------------------------------------------------------- */

void fk_export_yaml_string(struct fk_buf *out, const char *s)
{
    (void)fk_buf_addc(out, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t left = strlen((const char *)p);
    while (left) {
        /* Copy the plain run at once. */
        size_t run = 0;
        while (run < left && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        (void)fk_buf_add(out, p, run);
        p += run;
        left -= run;
        if (!left)
            break;
        uint32_t c;
        size_t n = fk_utf8_decode((const char *)p, left, &c);
        if (!n) {
            (void)fk_buf_adds(out, "\xEF\xBF\xBD"); /* U+FFFD for a bad byte */
            p++;
            left--;
            continue;
        }
        /* Escapes for what YAML reads specially; controls are not printable
         * in YAML; U+2028 and U+2029 are line breaks to a YAML 1.1 reader,
         * U+FEFF a byte order mark. */
        static const char escapes[][3] = {
            ['"'] = "\\\"", ['\\'] = "\\\\", ['\t'] = "\\t", ['\n'] = "\\n", ['\r'] = "\\r"};
        if (c < sizeof escapes / sizeof escapes[0] && escapes[c][0])
            (void)fk_buf_adds(out, escapes[c]);
        else if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            (void)fk_buf_printf(out, "\\x%02X", (unsigned)c);
        else if (c == 0x2028 || c == 0x2029 || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF)
            (void)fk_buf_printf(out, "\\u%04X", (unsigned)c);
        else
            (void)fk_buf_add(out, p, n);
        p += n;
        left -= n;
    }
    (void)fk_buf_addc(out, '"');
}

static void add_string_field(struct fk_buf *out, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    (void)fk_buf_printf(out, "%s: ", key);
    fk_export_yaml_string(out, value);
    (void)fk_buf_addc(out, '\n');
}

static void add_time_field(struct fk_buf *out, const char *key, int64_t t)
{
    char date[FK_DATE_BUFSIZE];
    if (t != FK_TIME_NONE && *fk_date_format(t, date))
        (void)fk_buf_printf(out, "%s: %s\n", key, date);
}

static void add_tag_list(struct fk_buf *out, const char *key, const char *const *tags, size_t ntags)
{
    (void)fk_buf_printf(out, ntags ? "%s:\n" : "%s: []\n", key);
    for (size_t i = 0; i < ntags; i++) {
        (void)fk_buf_adds(out, "  - ");
        fk_export_yaml_string(out, tags[i]);
        (void)fk_buf_addc(out, '\n');
    }
}

/* The tags of article as the tool links them (rule), without the empty
 * ones and those that two feed tags both become; then, when that changed
 * any, the feed's as feed_tags. */
static void add_tool_tags(struct fk_buf *out, const struct fk_article *article, enum tag_rule rule)
{
    char **tags = fk_xcalloc(article->ntags ? article->ntags : 1, sizeof *tags);
    size_t ntags = 0;
    for (size_t i = 0; i < article->ntags; i++) {
        char tag[256];
        size_t len = rule == TAGS_HUGO ? fk_export_hugo_tag(article->tags[i], tag, sizeof tag)
                                       : fk_export_obsidian_tag(article->tags[i], tag, sizeof tag);
        if (!len)
            continue;
        bool seen = false;
        for (size_t j = 0; j < ntags && !seen; j++)
            seen = strcmp(tags[j], tag) == 0;
        if (!seen)
            tags[ntags++] = fk_xstrdup(tag);
    }
    add_tag_list(out, "tags", (const char *const *)tags, ntags);
    bool same = ntags == article->ntags;
    for (size_t i = 0; i < ntags; i++) {
        same = same && strcmp(tags[i], article->tags[i]) == 0;
        free(tags[i]);
    }
    free(tags);
    if (!same)
        add_tag_list(out, "feed_tags", article->tags, article->ntags);
}

/* The front matter, with canonical_url when it is given. */
static void front_matter(struct fk_buf *out, const struct fk_article *article,
                         enum fk_export_profile profile, const char *canonical_url)
{
    const struct profile *p = profile_of(profile);
    (void)fk_buf_adds(out, "---\n");
    add_string_field(out, "title", article->title);
    add_string_field(out, "author", article->author);
    add_time_field(out, "date", article->date);
    add_time_field(out, p->updated_key, article->updated);
    add_string_field(out, p->url_key, article->url);
    add_string_field(out, "guid", article->guid);
    add_string_field(out, "feed", article->feed_url);
    add_string_field(out, "canonical_url", canonical_url);
    if (p->tags != TAGS_AS_IS) {
        add_tool_tags(out, article, p->tags);
    } else {
        add_tag_list(out, "tags", article->tags, article->ntags);
    }
    if (p->no_liquid)
        (void)fk_buf_adds(out, "render_with_liquid: false\n");
    (void)fk_buf_adds(out, "---\n");
}

void fk_export_front_matter(struct fk_buf *out, const struct fk_article *article,
                            enum fk_export_profile profile)
{
    front_matter(out, article, profile, NULL);
}

/* "# TITLE" on one line: a title is text, so every ASCII punctuation
 * character is escaped (CommonMark allows a backslash before any of them)
 * and control characters, line ends included, become spaces. */
static void add_title_heading(struct fk_buf *out, const char *title)
{
    (void)fk_buf_adds(out, "# ");
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            (void)fk_buf_addc(out, ' ');
        else if (*p < 0x80 && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", *p))
            (void)fk_buf_printf(out, "\\%c", *p);
        else
            (void)fk_buf_addc(out, (char)*p);
    }
    (void)fk_buf_adds(out, "\n");
}

/* Where the shortcode whose inside starts at s closes: the first closing
 * delimiter of its kind ('>' or '%'), or NULL. */
static const char *shortcode_end(const char *s, char kind)
{
    const char close[4] = {kind, '}', '}', '\0'};
    return strstr(s, close);
}

void fk_export_escape_shortcodes(struct fk_buf *out, const char *markdown)
{
    const char *s = markdown;
    for (;;) {
        const char *open = strstr(s, "{{");
        while (open && open[2] != '<' && open[2] != '%')
            open = strstr(open + 1, "{{");
        if (!open)
            break;
        char kind = open[2] == '<' ? '>' : '%';
        const char *inner = open + 3;
        const char *close = shortcode_end(inner, kind);
        (void)fk_buf_add(out, s, (size_t)(open - s));
        if (close) {
            /* Hugo's own escape, which it writes out as the shortcode */
            (void)fk_buf_add(out, open, 3);
            (void)fk_buf_adds(out, "/*");
            (void)fk_buf_add(out, inner, (size_t)(close - inner));
            (void)fk_buf_adds(out, "*/");
            (void)fk_buf_add(out, close, 3);
            s = close + 3;
        } else {
            /* Never closed: no escape exists for it, so a zero-width space
             * keeps Hugo from taking it for a shortcode. */
            (void)fk_buf_adds(out, "{{\xE2\x80\x8B");
            (void)fk_buf_add(out, open + 2, 1);
            s = open + 3;
        }
    }
    (void)fk_buf_adds(out, s);
}

void fk_export_document(struct fk_buf *out, const struct fk_article *article,
                        const struct fk_export_options *options)
{
    static const struct fk_export_options plain = {FK_EXPORT_PLAIN, false, NULL, 0, NULL};
    if (!options)
        options = &plain;
    front_matter(out, article, options->profile, options->canonical_url);
    if (options->title_heading && article->title && *article->title) {
        (void)fk_buf_addc(out, '\n');
        add_title_heading(out, article->title);
    }
    const char *markdown = article->markdown ? article->markdown : "";
    if (!*markdown)
        return;
    (void)fk_buf_addc(out, '\n');
    struct fk_buf body = FK_BUF_INIT;
    if (options->nlinks) {
        fk_export_rewrite_links(&body, markdown, options->links, options->nlinks);
        markdown = body.data ? body.data : "";
    }
    if (profile_of(options->profile)->escape_shortcodes)
        fk_export_escape_shortcodes(out, markdown);
    else
        (void)fk_buf_adds(out, markdown);
    fk_buf_release(&body);
    if (out->len && out->data[out->len - 1] != '\n')
        (void)fk_buf_addc(out, '\n');
}

/* --- writing ---------------------------------------------------------------------- */

int fk_export_open_dir(const char *path, struct fk_error *err)
{
    if (!path || !*path)
        return fk_error_set(err, FK_ERROR_USAGE, "no export directory given");
    /* mkdir -p: each parent, then the directory itself. */
    char *dir = fk_xstrdup(path);
    int fd = -1;
    for (char *p = dir + 1;; p++) {
        if (*p && *p != '/')
            continue;
        char saved = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(dir, 0777) < 0 && errno != EEXIST &&
            !(stat(dir, &st) == 0 && S_ISDIR(st.st_mode))) {
            fk_error_set(err, FK_ERROR_DB, "cannot create directory '%s': %s", dir,
                         strerror(errno));
            goto out;
        }
        *p = saved;
        if (!saved)
            break;
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        fk_error_set(err, FK_ERROR_DB, "cannot open directory '%s': %s", path, strerror(errno));
out:
    free(dir);
    return fd;
}

static bool plain_file_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > FK_EXPORT_NAME_MAX || name[0] == '.')
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F || *p == '/')
            return false;
    return true;
}

/* Whether the open file fd holds exactly data. */
static bool same_content(int fd, const char *data, size_t len)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != (uint64_t)len)
        return false;
    char chunk[65536];
    size_t done = 0;
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got == 0 && done == len;
        if ((size_t)got > len - done || memcmp(chunk, data + done, (size_t)got) != 0)
            return false;
        done += (size_t)got;
    }
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_file(int dir_fd, const char *name, const char *data, size_t len,
                      enum fk_export_write_result *result, struct fk_error *err)
{
    int rc = -1, fd = -1;
    char temp[FK_EXPORT_NAME_MAX + 32] = "";
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            fk_error_set(err, FK_ERROR_DB, "'%s' is a symbolic link; not followed", name);
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            fk_error_set(err, FK_ERROR_DB, "'%s' is not a regular file", name);
            goto out;
        }
        /* O_NOFOLLOW: a link put there since fstatat fails here. */
        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            fk_error_set(err, FK_ERROR_DB, "cannot read '%s': %s", name, strerror(errno));
            goto out;
        }
        bool same = same_content(fd, data, len);
        close(fd);
        fd = -1;
        if (same) {
            *result = FK_EXPORT_KEPT;
            rc = 0;
            goto out;
        }
    } else if (errno != ENOENT) {
        fk_error_set(err, FK_ERROR_DB, "cannot look at '%s': %s", name, strerror(errno));
        goto out;
    }

    /* A hidden name, so site generators skip it if a run is killed. */
    snprintf(temp, sizeof temp, ".%s.%ld.tmp", name, (long)getpid());
    for (int attempt = 0; fd < 0 && attempt < 2; attempt++) {
        fd = openat(dir_fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST && attempt == 0)
            (void)unlinkat(dir_fd, temp, 0); /* left by an earlier run with our pid */
        else if (fd < 0)
            break;
    }
    if (fd < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot create a file in the export directory: %s",
                     strerror(errno));
        temp[0] = '\0';
        goto out;
    }
    int write_rc = write_all(fd, data, len);
    int saved_errno = errno;
    if (close(fd) < 0 && write_rc == 0) {
        write_rc = -1;
        saved_errno = errno;
    }
    fd = -1;
    if (write_rc < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot write '%s': %s", name, strerror(saved_errno));
        goto out;
    }
    /* rename replaces the directory entry itself, never a link's target. */
    if (renameat(dir_fd, temp, dir_fd, name) < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot write '%s': %s", name, strerror(errno));
        goto out;
    }
    temp[0] = '\0';
    *result = FK_EXPORT_WRITTEN;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (temp[0])
        (void)unlinkat(dir_fd, temp, 0);
    return rc;
}

/* Split path into a directory (NULL when there is none) and a file name,
 * both plain; dir_buf holds the directory. Returns 0, or -1 with err
 * filled. */
static int split_path(const char *path, char *dir_buf, const char **dir, const char **name,
                      struct fk_error *err)
{
    const char *slash = strchr(path, '/');
    *dir = NULL;
    *name = path;
    if (slash) {
        size_t n = (size_t)(slash - path);
        if (n > FK_EXPORT_NAME_MAX)
            return fk_error_set(err, FK_ERROR_USAGE, "'%s' is not a plain file path", path);
        memcpy(dir_buf, path, n);
        dir_buf[n] = '\0';
        *dir = dir_buf;
        *name = slash + 1;
    }
    if ((*dir && !plain_file_name(*dir)) || !plain_file_name(*name))
        return fk_error_set(err, FK_ERROR_USAGE, "'%s' is not a plain file %s", path,
                            slash ? "path" : "name");
    return 0;
}

/* Open the directory name in dir_fd, making it when create and missing;
 * never through a link. Returns a descriptor, or -1 (errno set). */
static int open_subdir(int dir_fd, const char *name, bool create)
{
    if (create && mkdirat(dir_fd, name, 0777) < 0 && errno != EEXIST)
        return -1;
    return openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int fk_export_write(int dir_fd, const char *path, const char *data, size_t len,
                    enum fk_export_write_result *result, struct fk_error *err)
{
    char dir_buf[FK_EXPORT_NAME_SIZE];
    const char *dir, *name;
    if (split_path(path, dir_buf, &dir, &name, err) < 0)
        return -1;
    if (!dir)
        return write_file(dir_fd, name, data, len, result, err);
    int sub_fd = open_subdir(dir_fd, dir, true);
    if (sub_fd < 0)
        return fk_error_set(
            err, FK_ERROR_DB, "cannot open directory '%s': %s%s", dir, strerror(errno),
            errno == ELOOP || errno == ENOTDIR ? " (a link, or not a directory)" : "");
    int rc = write_file(sub_fd, name, data, len, result, err);
    close(sub_fd);
    return rc;
}

/* fk_export_hash of the regular file fd. Returns 0, or -1 (errno set). */
static int hash_file(int fd, uint64_t *hash)
{
    uint64_t h = FK_FNV1A64_BASIS;
    char chunk[65536];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        h = fk_fnv1a64_add(h, chunk, (size_t)got);
    }
    *hash = h;
    return 0;
}

/* Whether name is an asset file name (fk_export_asset_name): 16 lower-case
 * hex digits, ".", an extension of the table. */
static bool asset_file_name(const char *name)
{
    for (int i = 0; i < 16; i++)
        if (!name[i] || !strchr("0123456789abcdef", name[i]))
            return false;
    if (name[16] != '.')
        return false;
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
        if (strcmp(name + 17, extensions[i].extension) == 0)
            return true;
    return strcmp(name + 17, "bin") == 0;
}

/* Whether the regular file name in dir_fd still holds what export wrote
 * there: bytes whose SHA-256 starts with the hex digits of its name. */
static bool asset_file_intact(int dir_fd, const char *name)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool intact = false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        struct fk_sha256 ctx;
        unsigned char digest[FK_SHA256_SIZE], chunk[65536];
        fk_sha256_init(&ctx);
        ssize_t got;
        while ((got = read(fd, chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR))
            if (got > 0)
                fk_sha256_update(&ctx, chunk, (size_t)got);
        fk_sha256_final(&ctx, digest);
        char hex[65];
        hex_of(digest, hex);
        intact = got == 0 && strncmp(hex, name, 16) == 0;
    }
    close(fd);
    return intact;
}

/* Remove the asset files of a page bundle (the open directory dir_fd)
 * that hold what export wrote; anything else stays. */
static void remove_bundle_assets(int dir_fd)
{
    int fd = dup(dir_fd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!asset_file_name(entry->d_name))
            continue;
        names = fk_xrealloc(names, (count + 1) * sizeof *names);
        names[count++] = fk_xstrdup(entry->d_name);
    }
    closedir(dir);
    for (size_t i = 0; i < count; i++) {
        if (asset_file_intact(dir_fd, names[i]))
            (void)unlinkat(dir_fd, names[i], 0);
        free(names[i]);
    }
    free(names);
}

int fk_export_remove(int dir_fd, const char *path, uint64_t hash,
                     enum fk_export_remove_result *result, struct fk_error *err)
{
    char dir_buf[FK_EXPORT_NAME_SIZE];
    const char *dir, *name;
    int sub_fd = -1, fd = -1, rc = -1;
    if (split_path(path, dir_buf, &dir, &name, err) < 0)
        return -1;
    int in_fd = dir_fd;
    if (dir) {
        sub_fd = open_subdir(dir_fd, dir, false);
        if (sub_fd < 0 && errno == ENOENT) {
            *result = FK_EXPORT_ABSENT;
            return 0;
        }
        if (sub_fd < 0)
            return fk_error_set(err, FK_ERROR_DB, "cannot open directory '%s': %s", dir,
                                strerror(errno));
        in_fd = sub_fd;
    }
    fd = openat(in_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        *result = FK_EXPORT_ABSENT;
        rc = 0;
        goto out;
    }
    struct stat st;
    uint64_t found = 0;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot read '%s': %s", path,
                     errno == ELOOP ? "a symbolic link; not followed" : strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        fk_error_set(err, FK_ERROR_DB, "'%s' is not a regular file", path);
        goto out;
    }
    if (hash_file(fd, &found) < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    if (found != hash) {
        *result = FK_EXPORT_MODIFIED;
        rc = 0;
        goto out;
    }
    if (unlinkat(in_fd, name, 0) < 0) {
        fk_error_set(err, FK_ERROR_DB, "cannot remove '%s': %s", path, strerror(errno));
        goto out;
    }
    /* The bundle goes with its page and the asset files export put in
     * it, unless something else is in it. */
    if (dir) {
        remove_bundle_assets(sub_fd);
        (void)unlinkat(dir_fd, dir, AT_REMOVEDIR);
    }
    *result = FK_EXPORT_REMOVED;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (sub_fd >= 0)
        close(sub_fd);
    return rc;
}

/* --- assets ------------------------------------------------------------------ */

const char *fk_export_asset_extension(const char *mime)
{
    if (!mime)
        return "bin";
    size_t len = strcspn(mime, "; \t");
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
        if (strlen(extensions[i].mime) == len && fk_ascii_equal_n(mime, extensions[i].mime, len))
            return extensions[i].extension;
    return "bin";
}

void fk_export_asset_name(const unsigned char sha256[32], const char *mime, char *out)
{
    char hex[65];
    hex_of(sha256, hex);
    snprintf(out, FK_EXPORT_ASSET_NAME_SIZE, "%.16s.%s", hex, fk_export_asset_extension(mime));
}

void fk_export_asset_path(enum fk_export_profile profile, const char *name, const char *file,
                          char *path, char *link)
{
    if (profile == FK_EXPORT_HUGO) {
        snprintf(path, FK_EXPORT_ASSET_PATH_SIZE, "%s/%s", name, file);
        snprintf(link, FK_EXPORT_ASSET_PATH_SIZE, "%s", file);
        return;
    }
    snprintf(path, FK_EXPORT_ASSET_PATH_SIZE, "%s/%s",
             profile == FK_EXPORT_OBSIDIAN ? "attachments" : "assets", file);
    snprintf(link, FK_EXPORT_ASSET_PATH_SIZE, "%s", path);
}

static bool opens_url(char c)
{
    return c == '(' || c == '<' || c == '"' || c == '\'';
}

static bool closes_url(char c)
{
    return c == ')' || c == '>' || c == '"' || c == '\'' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == '\0';
}

/* The length of url as written at text (an "&" of it may be written
 * "&amp;", as in HTML attributes), when it ends there; else 0. */
static size_t url_at(const char *text, const char *url)
{
    const char *t = text;
    for (const char *u = url; *u; u++) {
        if (*u == '&' && strncmp(t, "&amp;", 5) == 0)
            t += 5;
        else if (*t == *u)
            t++;
        else
            return 0;
    }
    return closes_url(*t) ? (size_t)(t - text) : 0;
}

/* The fence a line opens or closes (``` or ~~~, after blanks and quote
 * markers): its character, and its length in *len; 0 for none. */
static char fence_of(const char *line, size_t *len)
{
    while (*line == ' ' || *line == '>')
        line++;
    char c = *line;
    if (c != '`' && c != '~')
        return 0;
    size_t n = 0;
    while (line[n] == c)
        n++;
    *len = n;
    return n >= 3 ? c : 0;
}

void fk_export_rewrite_links(struct fk_buf *out, const char *markdown,
                             const struct fk_export_link *links, size_t nlinks)
{
    char fence = 0;
    size_t fence_len = 0;
    for (const char *line = markdown; *line;) {
        size_t line_len = strcspn(line, "\n");
        if (line[line_len] == '\n')
            line_len++;
        size_t n;
        char c = fence_of(line, &n);
        if (fence) {
            if (c == fence && n >= fence_len)
                fence = 0;
            (void)fk_buf_add(out, line, line_len);
            line += line_len;
            continue;
        }
        if (c) {
            fence = c;
            fence_len = n;
            (void)fk_buf_add(out, line, line_len);
            line += line_len;
            continue;
        }
        size_t copied = 0;
        for (size_t i = 1; i < line_len; i++) {
            if (!opens_url(line[i - 1]))
                continue;
            for (size_t k = 0; k < nlinks; k++) {
                if (line[i] != links[k].url[0])
                    continue;
                size_t len = url_at(line + i, links[k].url);
                if (!len || i + len > line_len)
                    continue;
                (void)fk_buf_add(out, line + copied, i - copied);
                (void)fk_buf_adds(out, links[k].target);
                copied = i + len;
                i = copied; /* the next URL starts after a delimiter */
                break;
            }
        }
        (void)fk_buf_add(out, line + copied, line_len - copied);
        line += line_len;
    }
}

/* An asset an article references and the archive stores. */
struct stored_asset {
    char *url;
    char *mime;
    unsigned char sha256[32];
    int64_t size;
};

struct stored_list {
    struct stored_asset *items;
    size_t count, cap;
};

static int collect_stored(const struct fk_asset_row *row, void *ctx)
{
    struct stored_list *list = ctx;
    if (row->status != FK_ASSET_STORED || !row->has_sha256 || !row->url)
        return 0;
    if (list->count == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 16;
        list->items = fk_xrealloc(list->items, list->cap * sizeof *list->items);
    }
    struct stored_asset *a = &list->items[list->count++];
    a->url = fk_xstrdup(row->url);
    a->mime = fk_xstrdup(row->mime ? row->mime : FK_MEDIA_UNKNOWN);
    memcpy(a->sha256, row->sha256, sizeof a->sha256);
    a->size = row->size;
    return 0;
}

static void stored_release(struct stored_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].url);
        free(list->items[i].mime);
    }
    free(list->items);
}

/* The stored assets of article id, in its order. */
static int list_stored(struct fk_store *store, int64_t id, struct stored_list *list,
                       struct fk_error *err)
{
    return fk_store_article_assets(store, id, collect_stored, list, err) < 0 ? -1 : 0;
}

/* Whether path (as for fk_export_write) in dir_fd is a regular file of
 * size bytes; links are not followed. */
static bool file_of_size(int dir_fd, const char *path, int64_t size)
{
    char dir_buf[FK_EXPORT_NAME_SIZE];
    const char *dir, *name;
    if (split_path(path, dir_buf, &dir, &name, NULL) < 0)
        return false;
    int in_fd = dir ? open_subdir(dir_fd, dir, false) : dir_fd;
    if (in_fd < 0)
        return false;
    struct stat st;
    bool found = fstatat(in_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                 (int64_t)st.st_size == size;
    if (dir)
        close(in_fd);
    return found;
}

/* Writing one asset's bytes, from fk_store_get_asset. */
struct asset_write {
    int dir_fd;
    const char *path;
    int rc;
    enum fk_export_write_result result;
    struct fk_error err;
};

static int write_asset(const struct fk_asset *asset, void *ctx)
{
    struct asset_write *w = ctx;
    w->rc = fk_export_write(w->dir_fd, w->path, asset->data, asset->size, &w->result, &w->err);
    return 0;
}

/* The links of fk_export_assets, and the memory of their strings. */
struct assets_priv {
    char **strings;
    size_t count;
};

static void add_link(struct fk_export_assets *out, const char *url, const char *target)
{
    struct assets_priv *priv = out->priv;
    out->links = fk_xrealloc(out->links, (out->nlinks + 1) * sizeof *out->links);
    priv->strings = fk_xrealloc(priv->strings, (priv->count + 2) * sizeof *priv->strings);
    char *u = priv->strings[priv->count++] = fk_xstrdup(url);
    char *t = priv->strings[priv->count++] = fk_xstrdup(target);
    out->links[out->nlinks].url = u;
    out->links[out->nlinks].target = t;
    out->nlinks++;
}

void fk_export_relative_dir(struct fk_buf *out, const char *from, const char *to)
{
    /* The longest run of whole components both start with. */
    size_t common = 0;
    for (size_t i = 0;; i++) {
        bool end_from = from[i] == '\0' || from[i] == '/';
        bool end_to = to[i] == '\0' || to[i] == '/';
        if (end_from && end_to)
            common = i;
        if (from[i] != to[i] || !from[i])
            break;
    }
    for (const char *p = from + common; *p; p++)
        if (*p == '/' && p[1])
            (void)fk_buf_adds(out, "../");
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    if (*rest) {
        (void)fk_buf_adds(out, rest);
        if (rest[strlen(rest) - 1] != '/')
            (void)fk_buf_addc(out, '/');
    }
}

void fk_export_add_link(struct fk_buf *out, const char *link)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)link; *p; p++) {
        if (*p <= ' ' || *p >= 0x7F || strchr("()<>\"'\\`", *p))
            (void)fk_buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
        else
            (void)fk_buf_addc(out, (char)*p);
    }
}

int fk_export_copy_assets(struct fk_store *store, int dir_fd, enum fk_export_profile profile,
                          const struct fk_export_asset_folder *folder, int64_t id, const char *name,
                          struct fk_export_assets *out, struct fk_error *err)
{
    if (profile == FK_EXPORT_HUGO)
        folder = NULL; /* a page's images are in its bundle */
    int files_fd = folder ? folder->dir_fd : dir_fd;
    struct fk_buf link = FK_BUF_INIT;
    memset(out, 0, sizeof *out);
    out->priv = fk_xcalloc(1, sizeof(struct assets_priv));
    struct stored_list list = {NULL, 0, 0};
    int rc = -1;
    if (list_stored(store, id, &list, err) < 0)
        goto out;
    for (size_t i = 0; i < list.count; i++) {
        const struct stored_asset *a = &list.items[i];
        char file[FK_EXPORT_ASSET_NAME_SIZE], path[FK_EXPORT_ASSET_PATH_SIZE],
            relative[FK_EXPORT_ASSET_PATH_SIZE];
        fk_export_asset_name(a->sha256, a->mime, file);
        fk_export_asset_path(profile, name, file, path, relative);
        fk_buf_reset(&link);
        if (folder) {
            snprintf(path, sizeof path, "%s", file);
            fk_export_add_link(&link, folder->link);
            (void)fk_buf_adds(&link, file);
        } else {
            (void)fk_buf_adds(&link, relative);
        }
        if (file_of_size(files_fd, path, a->size)) {
            out->kept++;
            add_link(out, a->url, link.data);
            continue;
        }
        char hex[65];
        hex_of(a->sha256, hex);
        struct asset_write w = {files_fd, path, -1, FK_EXPORT_KEPT, {0}};
        int got = fk_store_get_asset(store, hex, NULL, write_asset, &w, err);
        if (got < 0)
            goto out;
        if (got == 1)
            continue; /* gone since it was listed: the URL stays remote */
        if (w.rc < 0) {
            if (!out->failed++)
                out->failure = w.err;
            continue;
        }
        if (w.result == FK_EXPORT_WRITTEN)
            out->written++;
        else
            out->kept++;
        add_link(out, a->url, link.data);
    }
    rc = 0;
out:
    fk_buf_release(&link);
    stored_release(&list);
    return rc;
}

void fk_export_assets_release(struct fk_export_assets *out)
{
    struct assets_priv *priv = out->priv;
    if (priv) {
        for (size_t i = 0; i < priv->count; i++)
            free(priv->strings[i]);
        free(priv->strings);
        free(priv);
    }
    free(out->links);
    memset(out, 0, sizeof *out);
}

/* --- one article as a page -------------------------------------------------- */

void fk_export_base64(struct fk_buf *out, const void *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char chunk[4096];
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        chunk[n++] = alphabet[(v >> 18) & 63];
        chunk[n++] = alphabet[(v >> 12) & 63];
        chunk[n++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        chunk[n++] = i + 2 < len ? alphabet[v & 63] : '=';
        if (n == sizeof chunk) {
            (void)fk_buf_add(out, chunk, n);
            n = 0;
        }
    }
    (void)fk_buf_add(out, chunk, n);
}

/* A media type safe to write into a data: URI as it is. */
static bool plain_mime(const char *mime)
{
    if (!*mime)
        return false;
    for (const char *p = mime; *p; p++)
        if (!fk_is_alnum((unsigned char)*p) && !strchr("/+-.", *p))
            return false;
    return true;
}

static int add_data_uri(const struct fk_asset *asset, void *ctx)
{
    struct fk_buf *uri = ctx;
    (void)fk_buf_printf(uri, "data:%s;base64,", asset->mime);
    fk_export_base64(uri, asset->data, asset->size);
    return 0;
}

static void add_html_text(struct fk_buf *out, const char *s)
{
    static const char *const escapes[128] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    };
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 128 && escapes[c])
            (void)fk_buf_adds(out, escapes[c]);
        else
            (void)fk_buf_addc(out, *s);
    }
}

static bool web_url(const char *url)
{
    return url && (fk_ascii_equal_n(url, "http://", 7) || fk_ascii_equal_n(url, "https://", 8));
}

/* A link to url showing text, when it is a web address; else text. */
static void add_html_link(struct fk_buf *out, const char *url, const char *text)
{
    if (web_url(url)) {
        (void)fk_buf_adds(out, "<a href=\"");
        add_html_text(out, url);
        (void)fk_buf_adds(out, "\">");
    }
    add_html_text(out, text);
    if (web_url(url))
        (void)fk_buf_adds(out, "</a>");
}

static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html>\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "img-src data: http: https:; media-src data: http: https:; style-src 'unsafe-inline'; "
    "form-action 'none'; base-uri 'none'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"feedkeep\">\n";

static const char page_style[] =
    "<style>\n"
    "body{max-width:42rem;margin:2rem auto;padding:0 1rem;font:1.05rem/1.6 Georgia,serif;"
    "color:#222;background:#fdfdfb}\n"
    "header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}\n"
    "header h1{line-height:1.25;margin-bottom:.3rem}\n"
    ".meta{color:#666;font-size:.9rem}\n"
    "img,video{max-width:100%;height:auto}\n"
    "pre{overflow-x:auto;background:#f4f4f1;padding:.8rem;font-size:.9rem}\n"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace}\n"
    "blockquote{margin-left:0;padding-left:1rem;border-left:3px solid #ccc;color:#555}\n"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem}\n"
    "a{color:#1a55a0}\n"
    "</style>\n"
    "</head>\n";

static void add_page_header(struct fk_buf *out, const struct fk_article *article)
{
    const char *title = article->title && *article->title ? article->title : "(untitled)";
    (void)fk_buf_adds(out, "<title>");
    add_html_text(out, title);
    (void)fk_buf_adds(out, "</title>\n");
    (void)fk_buf_adds(out, page_style);
    (void)fk_buf_adds(out, "<body>\n<article>\n<header>\n<h1>");
    add_html_text(out, title);
    (void)fk_buf_adds(out, "</h1>\n<p class=\"meta\">");
    const char *sep = "";
    if (article->author && *article->author) {
        (void)fk_buf_adds(out, "By ");
        add_html_text(out, article->author);
        sep = " · ";
    }
    char date[FK_DATE_BUFSIZE];
    if (article->date != FK_TIME_NONE && *fk_date_format(article->date, date)) {
        (void)fk_buf_printf(out, "%s<time datetime=\"%s\">%s</time>", sep, date, date);
        sep = " · ";
    }
    if (article->feed_url && *article->feed_url) {
        (void)fk_buf_printf(out, "%sfeed: ", sep);
        add_html_link(out, article->feed_url, article->feed_url);
        sep = " · ";
    }
    (void)fk_buf_adds(out, "</p>\n");
    if (article->url && *article->url) {
        (void)fk_buf_adds(out, "<p class=\"meta\">Source: ");
        add_html_link(out, article->url, article->url);
        (void)fk_buf_adds(out, "</p>\n");
    }
    (void)fk_buf_adds(out, "</header>\n");
}

int fk_export_html_page(struct fk_buf *out, struct fk_store *store,
                        const struct fk_article *article, size_t *inlined, size_t *remote,
                        struct fk_error *err)
{
    struct stored_list list = {NULL, 0, 0};
    struct fk_export_link *links = NULL;
    char **uris = NULL;
    size_t nlinks = 0, left_out = 0, inlined_bytes = 0;
    struct fk_buf markdown = FK_BUF_INIT;
    int rc = -1;
    if (list_stored(store, article->id, &list, err) < 0)
        goto out;
    links = fk_xcalloc(list.count ? list.count : 1, sizeof *links);
    uris = fk_xcalloc(list.count ? list.count : 1, sizeof *uris);
    for (size_t i = 0; i < list.count; i++) {
        const struct stored_asset *a = &list.items[i];
        if (fk_media_class_of(a->mime) != FK_MEDIA_IMAGE || !plain_mime(a->mime))
            continue;
        if (a->size < 0 || (size_t)a->size > FK_EXPORT_PAGE_INLINE_MAX - inlined_bytes) {
            left_out++;
            continue;
        }
        char hex[65];
        hex_of(a->sha256, hex);
        struct fk_buf uri;
        fk_buf_init(&uri, 0);
        int got = fk_store_get_asset(store, hex, NULL, add_data_uri, &uri, err);
        if (got < 0) {
            fk_buf_release(&uri);
            goto out;
        }
        if (got == 1 || !uri.data) {
            fk_buf_release(&uri);
            continue;
        }
        inlined_bytes += (size_t)a->size;
        links[nlinks].url = a->url;
        links[nlinks].target = uris[nlinks] = fk_buf_detach(&uri);
        nlinks++;
    }
    fk_export_rewrite_links(&markdown, article->markdown ? article->markdown : "", links, nlinks);
    char *html = fk_content_markdown_to_html(markdown.data ? markdown.data : "");
    (void)fk_buf_adds(out, page_head);
    add_page_header(out, article);
    int added = fk_buf_adds(out, html);
    (void)fk_buf_adds(out, "</article>\n</body>\n</html>\n");
    free(html);
    if (added < 0) {
        fk_error_set(err, FK_ERROR_INPUT, "the page of article %lld is too large",
                     (long long)article->id);
        goto out;
    }
    if (inlined)
        *inlined = nlinks;
    if (remote)
        *remote = left_out;
    rc = 0;
out:
    for (size_t i = 0; i < nlinks; i++)
        free(uris[i]);
    free(uris);
    free(links);
    fk_buf_release(&markdown);
    stored_release(&list);
    return rc;
}
