/* export.h - archived articles as Markdown files with YAML front matter,
 * for a static site generator (Hugo, Jekyll) or a notes folder (Obsidian).
 *
 * A file is the front matter (fk_export_front_matter) and then the
 * article's Markdown exactly as the archive keeps it, so export and
 * `show --markdown` give the same body. Files are named DATE-SLUG.md and
 * written only inside one directory, and only when their bytes changed.
 */
#ifndef FEEDKEEP_EXPORT_H
#define FEEDKEEP_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "feedkeep/buf.h"
#include "feedkeep/error.h"
#include "feedkeep/store.h"

/* The longest file name export makes, in bytes, ".md" included. */
#define FK_EXPORT_NAME_MAX 100
/* Room for a file name and its NUL. */
#define FK_EXPORT_NAME_SIZE (FK_EXPORT_NAME_MAX + 1)
/* The longest slug, leaving room for the date, a "-NNNNNNN" suffix and
 * ".md" within FK_EXPORT_NAME_MAX. */
#define FK_EXPORT_SLUG_MAX 78

/* Write the slug of title into out (size bytes, at least
 * FK_EXPORT_SLUG_MAX + 1 are used): its ASCII letters (lower-cased) and
 * digits, Latin-1 letters without their accents ("é" is "e", "ß" "ss"),
 * every other run of characters made one "-", apostrophes (' and U+2019)
 * dropped, no "-" at either end, cut to FK_EXPORT_SLUG_MAX bytes (at a "-"
 * when one is near). Nothing else is transliterated: a title with no such
 * letter or digit gives "", as does NULL. Returns the length. */
size_t fk_export_slug(const char *title, char *out, size_t size);

/* Write the file name of an article, before it is made unique, into out
 * (FK_EXPORT_NAME_SIZE bytes), without ".md": "YYYY-MM-DD-SLUG" with the
 * UTC date of published (or of updated when published is FK_TIME_NONE;
 * "undated" when both are) and the slug of title. An empty slug is made
 * from key (the guid or URL) as 8 hex digits of a hash, so it is stable, or
 * is "untitled" when key is NULL or empty. The result is ASCII letters,
 * digits and "-" only. */
void fk_export_base_name(int64_t published, int64_t updated, const char *title, const char *key,
                         char *out);

/* An article to export and its file name. */
struct fk_export_name {
    int64_t id;                     /* the article id: decides who gets a suffix */
    char name[FK_EXPORT_NAME_SIZE]; /* in: fk_export_base_name; out: "NAME.md" */
};

/* Make the names of count entries unique and add ".md". Each name goes to
 * the entry with the lowest id that wants it; the others, by id, get the
 * first free of "-2", "-3", ... So the names depend only on the set of
 * articles, not on their order in names, and a new article never takes
 * the name of one exported before (its id is higher). */
void fk_export_unique_names(struct fk_export_name *names, size_t count);

/* Append s as a YAML double-quoted scalar, valid YAML 1.1 and 1.2 whatever s
 * holds: '"' and '\' escaped, tab, CR and LF as \t \r \n, other control
 * characters (C0, DEL, C1) as \xNN, U+2028, U+2029, U+FEFF, U+FFFE and
 * U+FFFF as \uNNNN; bytes that are not UTF-8 become U+FFFD. NULL gives "". */
void fk_export_yaml_string(struct fk_buf *out, const char *s);

/* Append the front matter of article: "---", then title, author, date,
 * updated, url, guid, feed and tags (a list), then "---". Strings are
 * double-quoted scalars, dates ISO 8601 timestamps in UTC; a field the
 * article lacks is left out, tags are "[]" when there are none. */
void fk_export_front_matter(struct fk_buf *out, const struct fk_article *article);

/* Append the whole file of article: front matter, a blank line, and its
 * Markdown (as stored, ending with one line end; nothing when empty). */
void fk_export_document(struct fk_buf *out, const struct fk_article *article);

/* Open the export directory path, creating it and its parents (mode 0777
 * less the umask) when missing. Returns a directory descriptor for
 * fk_export_write (close it with close()), or -1 with err filled
 * (FK_ERROR_DB: I/O). */
int fk_export_open_dir(const char *path, struct fk_error *err);

/* What fk_export_write did. */
enum fk_export_write_result {
    FK_EXPORT_WRITTEN, /* the file was new or its content changed */
    FK_EXPORT_KEPT,    /* the file already held exactly these bytes */
};

/* Write len bytes of data to the file name in the directory dir_fd, unless
 * it holds them already. name must be a plain file name: not empty, at most
 * FK_EXPORT_NAME_MAX bytes, no "/", no control characters, no leading ".".
 * Nothing outside the directory is touched: an existing entry that is a
 * symbolic link (or anything but a regular file) is refused, never
 * followed; new content goes to a temporary file in the directory that is
 * renamed over name, so a reader sees the old file or the new one, never
 * part of one. Sets *result and returns 0, or returns -1 with err filled
 * (FK_ERROR_USAGE for a bad name, FK_ERROR_DB for a link or another I/O
 * failure), leaving name as it was. */
int fk_export_write(int dir_fd, const char *name, const char *data, size_t len,
                    enum fk_export_write_result *result, struct fk_error *err);

#endif
