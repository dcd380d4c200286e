/* export.c - archived articles as Markdown files with YAML front matter.
 *
 * File names come from titles, which come from feeds, so they are built
 * from a small alphabet (ASCII letters, digits, "-") and every write goes
 * through a descriptor of the export directory with O_NOFOLLOW: nothing a
 * feed sends, and no link someone put in the directory, can make export
 * write elsewhere.
 */
#include "feedkeep/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feedkeep/date.h"
#include "feedkeep/json.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

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

size_t fk_export_slug(const char *title, char *out, size_t size)
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
        char ascii[2] = {0, 0};
        if (is_slug_char(u[0])) {
            ascii[0] = (char)(u[0] >= 'A' && u[0] <= 'Z' ? u[0] + ('a' - 'A') : u[0]);
            letters = ascii;
            p++;
        } else if (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0xBF) {
            letters = latin1_letters[u[1] - 0x80];
            p += 2;
        } else {
            p++;
        }
        if (!letters || !*letters) {
            dash = len > 0;
            continue;
        }
        size_t n = strlen(letters);
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

/* 32-bit FNV-1a: a stable, short tag for a key. */
static uint32_t hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void fk_export_base_name(int64_t published, int64_t updated, const char *title, const char *key,
                         char *out)
{
    char date[FK_DATE_BUFSIZE] = "";
    int64_t when = published != FK_TIME_NONE ? published : updated;
    if (when != FK_TIME_NONE)
        fk_date_format(when, date);
    if (date[0])
        date[10] = '\0'; /* YYYY-MM-DD */
    char slug[FK_EXPORT_SLUG_MAX + 1];
    if (!fk_export_slug(title, slug, sizeof slug)) {
        if (key && *key)
            snprintf(slug, sizeof slug, "%08lx", (unsigned long)hash32(key));
        else
            snprintf(slug, sizeof slug, "untitled");
    }
    snprintf(out, FK_EXPORT_NAME_SIZE, "%.10s-%s", date[0] ? date : "undated", slug);
}

/* Names taken so far: open addressing over pointers into the names. */
struct name_set {
    const char **slots;
    size_t mask;
};

static bool name_set_add(struct name_set *set, const char *name, bool insert)
{
    size_t i = hash32(name) & set->mask;
    for (; set->slots[i]; i = (i + 1) & set->mask)
        if (strcmp(set->slots[i], name) == 0)
            return false;
    if (insert)
        set->slots[i] = name;
    return true;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = (*(struct fk_export_name *const *)a)->id;
    int64_t y = (*(struct fk_export_name *const *)b)->id;
    return (x > y) - (x < y);
}

void fk_export_unique_names(struct fk_export_name *names, size_t count)
{
    struct fk_export_name **by_id = fk_xcalloc(count ? count : 1, sizeof *by_id);
    size_t slots = 16;
    while (slots < count * 2)
        slots *= 2;
    struct name_set set = {fk_xcalloc(slots, sizeof *set.slots), slots - 1};
    for (size_t i = 0; i < count; i++)
        by_id[i] = &names[i];
    qsort(by_id, count, sizeof *by_id, compare_ids);
    /* First every name goes to the lowest id wanting it, so an article
     * whose own name looks like a suffixed one ("part-2") keeps it... */
    bool *named = fk_xcalloc(count ? count : 1, sizeof *named);
    for (size_t i = 0; i < count; i++)
        named[i] = name_set_add(&set, by_id[i]->name, true);
    /* ...then the others take the first free suffix. */
    for (size_t i = 0; i < count; i++) {
        if (named[i])
            continue;
        /* Base names leave room for the suffix and ".md" (FK_EXPORT_SLUG_MAX). */
        char candidate[FK_EXPORT_NAME_SIZE + 24];
        for (unsigned long n = 2;; n++) {
            snprintf(candidate, sizeof candidate, "%s-%lu", by_id[i]->name, n);
            candidate[FK_EXPORT_NAME_MAX - 3] = '\0';
            if (name_set_add(&set, candidate, false))
                break;
        }
        memcpy(by_id[i]->name, candidate, FK_EXPORT_NAME_SIZE - 3);
        name_set_add(&set, by_id[i]->name, true);
    }
    free(named);
    /* Only now: the set points at the names, and ".md" would hide a
     * clash between "x-2" wanted as a base and "x" + "-2". */
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(names[i].name);
        snprintf(names[i].name + len, sizeof names[i].name - len, ".md");
    }
    free(set.slots);
    free(by_id);
}

/* --- front matter ------------------------------------------------------------- */

/* The code point of the valid UTF-8 sequence of n bytes at p. */
static uint32_t code_point(const unsigned char *p, size_t n)
{
    if (n == 1)
        return p[0];
    uint32_t c = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        c = c << 6 | (p[i] & 0x3F);
    return c;
}

static size_t sequence_length(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

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
        size_t n = sequence_length(*p);
        if (n > left || fk_utf8_valid_prefix((const char *)p, n) != n) {
            (void)fk_buf_adds(out, "\xEF\xBF\xBD"); /* U+FFFD for a bad byte */
            p++;
            left--;
            continue;
        }
        uint32_t c = code_point(p, n);
        switch (c) {
        case '"':
            (void)fk_buf_adds(out, "\\\"");
            break;
        case '\\':
            (void)fk_buf_adds(out, "\\\\");
            break;
        case '\t':
            (void)fk_buf_adds(out, "\\t");
            break;
        case '\n':
            (void)fk_buf_adds(out, "\\n");
            break;
        case '\r':
            (void)fk_buf_adds(out, "\\r");
            break;
        default:
            /* Controls are not printable in YAML; U+2028 and U+2029 are
             * line breaks to a YAML 1.1 reader, U+FEFF a byte order mark. */
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
                (void)fk_buf_printf(out, "\\x%02X", (unsigned)c);
            else if (c == 0x2028 || c == 0x2029 || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF)
                (void)fk_buf_printf(out, "\\u%04X", (unsigned)c);
            else
                (void)fk_buf_add(out, p, n);
            break;
        }
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

void fk_export_front_matter(struct fk_buf *out, const struct fk_article *article)
{
    (void)fk_buf_adds(out, "---\n");
    add_string_field(out, "title", article->title);
    add_string_field(out, "author", article->author);
    add_time_field(out, "date", article->date);
    add_time_field(out, "updated", article->updated);
    add_string_field(out, "url", article->url);
    add_string_field(out, "guid", article->guid);
    add_string_field(out, "feed", article->feed_url);
    if (!article->ntags)
        (void)fk_buf_adds(out, "tags: []\n");
    else
        (void)fk_buf_adds(out, "tags:\n");
    for (size_t i = 0; i < article->ntags; i++) {
        (void)fk_buf_adds(out, "  - ");
        fk_export_yaml_string(out, article->tags[i]);
        (void)fk_buf_addc(out, '\n');
    }
    (void)fk_buf_adds(out, "---\n");
}

void fk_export_document(struct fk_buf *out, const struct fk_article *article)
{
    fk_export_front_matter(out, article);
    const char *markdown = article->markdown ? article->markdown : "";
    if (!*markdown)
        return;
    (void)fk_buf_addc(out, '\n');
    (void)fk_buf_adds(out, markdown);
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

int fk_export_write(int dir_fd, const char *name, const char *data, size_t len,
                    enum fk_export_write_result *result, struct fk_error *err)
{
    if (!plain_file_name(name))
        return fk_error_set(err, FK_ERROR_USAGE, "'%s' is not a plain file name", name);
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
