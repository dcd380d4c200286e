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

#include <stdbool.h>
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
/* The longest path export writes inside its directory: a name, or a
 * directory named like a file without ".md" and "/index.md" in it. */
#define FK_EXPORT_PATH_MAX  (FK_EXPORT_NAME_MAX + 16)
#define FK_EXPORT_PATH_SIZE (FK_EXPORT_PATH_MAX + 1)

/* What the files are made for: each tool reserves some front matter keys,
 * links tags its own way and may want its own layout. */
enum fk_export_profile {
    FK_EXPORT_PLAIN,    /* title author date updated url guid feed tags; NAME.md */
    FK_EXPORT_HUGO,     /* title author date lastmod source_url guid feed, tags
                           as Hugo links them, feed_tags as the feed gave
                           them when that differs; a page bundle
                           NAME/index.md */
    FK_EXPORT_JEKYLL,   /* title author date last_modified_at source_url guid
                           feed tags; NAME.md */
    FK_EXPORT_OBSIDIAN, /* title author date updated url guid feed, tags made
                           Obsidian tags, feed_tags as the feed gave them
                           when that differs; NAME.md */
    FK_EXPORT_PROFILE_COUNT
};

/* The profile called name ("plain", "hugo", "jekyll", "obsidian"). Returns
 * 0 with *profile set, or -1 for an unknown name. */
int fk_export_profile_from_name(const char *name, enum fk_export_profile *profile);

/* A link of an article's Markdown made to point elsewhere: each place
 * where url is written exactly, as a link or image destination or an
 * HTML attribute value, becomes target (fk_export_rewrite_links). */
struct fk_export_link {
    const char *url;
    const char *target;
};

/* How the files are written. Zeroed: today's plain files. */
struct fk_export_options {
    enum fk_export_profile profile;
    bool title_heading;                 /* the body starts with "# TITLE" */
    const struct fk_export_link *links; /* the Markdown's links to rewrite
                                           (NULL: none) */
    size_t nlinks;
    const char *canonical_url; /* where the article's author says it lives
                                  (a cross-post), as canonical_url in the
                                  front matter; NULL: none */
};

/* Write the slug of title into out (size bytes, at least
 * FK_EXPORT_SLUG_MAX + 1 are used): its ASCII letters (lower-cased) and
 * digits, Latin-1 letters without their accents ("é" is "e", "ß" "ss"),
 * every other run of characters made one "-", apostrophes (' and U+2019)
 * dropped, no "-" at either end, cut to FK_EXPORT_SLUG_MAX bytes (at a "-"
 * when one is near). Nothing else is transliterated: a title with no such
 * letter or digit gives "", as does NULL. Returns the length. This is the
 * slug of --ascii-names. */
size_t fk_export_slug(const char *title, char *out, size_t size);

/* As fk_export_slug, but letters and digits of every script are kept as
 * UTF-8: "Привет, мир" is "привет-мир", "数据库索引入门" stays whole.
 * Lower-cased are ASCII, Latin-1, Latin Extended-A, Latin Extended
 * Additional, Greek, Cyrillic and fullwidth Latin letters; other letters
 * are kept as they are (most scripts have no case). What counts as a
 * separator outside ASCII: Latin-1 punctuation and signs (U+0080-U+00BF,
 * U+00D7, U+00F7), U+2000-U+2BFF (punctuation, symbols, arrows, shapes,
 * dingbats), U+2E00-U+2E7F, CJK punctuation U+3000-U+303F, the
 * punctuation of the fullwidth and small forms, variation selectors,
 * emoji and symbols U+1F000-U+1FBFF, private use and unassigned planes
 * above U+E0000, invisible fillers and direction marks, and bytes that are
 * not UTF-8. The slug is cut on a character boundary. */
size_t fk_export_slug_utf8(const char *title, char *out, size_t size);

/* Write the file name of an article, before it is made unique, into out
 * (FK_EXPORT_NAME_SIZE bytes), without ".md": "YYYY-MM-DD-SLUG" with the
 * UTC date of published (or of updated when published is FK_TIME_NONE;
 * "undated" when both are) and the slug of title (fk_export_slug when
 * ascii, else fk_export_slug_utf8). An empty slug is made from key (the
 * guid or URL) as 8 hex digits of a hash, so it is stable, or is
 * "untitled" when key is NULL or empty. The result holds no "/", no
 * control character, no "." and no white space. */
void fk_export_base_name(int64_t published, int64_t updated, const char *title, const char *key,
                         bool ascii, char *out);

/* Name the articles of an export (fk_store_export_begin), added with
 * fk_store_export_add (each wanting its fk_export_base_name), without
 * ".md"; read the names back with fk_store_export_get. The names recorded
 * in the export's directory by earlier exports stay, those of at most
 * FK_EXPORT_NAME_MAX - 3 bytes: an article recorded there keeps its name,
 * and no other takes it. Each other name goes to the article with the
 * lowest id wanting it, unless a recorded name has it; the others, by id,
 * get the first free of "-2", "-3", ... (cut to FK_EXPORT_NAME_MAX - 3
 * bytes on a character boundary). So the names depend only on the set of
 * articles, not on their order, and a new article never takes the name of
 * one exported before (its id is higher, or that name is recorded). The
 * work is done in the store's temporary tables: memory does not grow with
 * the number of articles. Returns 0, or -1 with err filled. */
int fk_export_name_articles(struct fk_store *store, struct fk_error *err);

/* Write into out (FK_EXPORT_PATH_SIZE bytes) the path of the file of name
 * (a unique name) in the export directory: "NAME.md", or for Hugo
 * "NAME/index.md". */
void fk_export_path(enum fk_export_profile profile, const char *name, char *out);

/* Write into out (size bytes) tag as Obsidian links it: letters and digits
 * of every script, "_", "-" and "/" kept (lower-cased as by
 * fk_export_slug_utf8), a "#" at the start dropped, "+" written "plus" and
 * any other "#" "sharp" ("c++" is "cplusplus", "c#" "csharp"), every other
 * run of characters one "-", no "-" or "/" at either end; a tag of digits
 * only gets a "_" in front ("2024" is "_2024"), as Obsidian wants one
 * character that is not a digit. Returns the length: 0 when nothing is
 * left (the tag is then left out of tags). */
size_t fk_export_obsidian_tag(const char *tag, char *out, size_t size);

/* Write into out (size bytes) tag as Hugo can link it: as it is, but
 * with "#" at the start dropped, any other "#" written "sharp" and "?"
 * and "%" made "-" (Hugo keeps them in the tag page's URL, where "#" and
 * "?" end the path). Returns the length: 0 when nothing is left. */
size_t fk_export_hugo_tag(const char *tag, char *out, size_t size);

/* A 64-bit FNV-1a hash of len bytes of data: what export records of a
 * file it wrote, to know it again. */
uint64_t fk_export_hash(const void *data, size_t len);

/* Append s as a YAML double-quoted scalar, valid YAML 1.1 and 1.2 whatever s
 * holds: '"' and '\' escaped, tab, CR and LF as \t \r \n, other control
 * characters (C0, DEL, C1) as \xNN, U+2028, U+2029, U+FEFF, U+FFFE and
 * U+FFFF as \uNNNN; bytes that are not UTF-8 become U+FFFD. NULL gives "". */
void fk_export_yaml_string(struct fk_buf *out, const char *s);

/* Append the front matter of article for profile: "---", the keys of the
 * profile (enum fk_export_profile) in that order, then "---". Strings are
 * double-quoted scalars, dates ISO 8601 timestamps in UTC (date is the
 * article's date, published else updated; the updated key its updated
 * date); a field the article lacks is left out, tags are "[]" when there
 * are none. */
void fk_export_front_matter(struct fk_buf *out, const struct fk_article *article,
                            enum fk_export_profile profile);

/* Append the whole file of article: front matter, a blank line, with
 * title_heading "# TITLE" (every ASCII punctuation character of the title
 * escaped, control characters made spaces) and a blank line, and its
 * Markdown (as stored, with the options' links rewritten, ending with one
 * line end; nothing when empty). options NULL is a zeroed struct. */
void fk_export_document(struct fk_buf *out, const struct fk_article *article,
                        const struct fk_export_options *options);

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

/* Write len bytes of data to the file path in the directory dir_fd,
 * unless it holds them already. path is a plain file name, or a plain
 * directory name, "/" and a plain file name (a Hugo page bundle, the
 * directory made when missing); a plain name is not empty, at most
 * FK_EXPORT_NAME_MAX bytes, without "/" or control characters, and does
 * not start with ".". Nothing outside the directory is touched: an
 * existing entry that is a symbolic link (or anything but a regular file,
 * or a directory for the bundle) is refused, never followed; new content
 * goes to a temporary file beside it that is renamed over it, so a reader
 * sees the old file or the new one, never part of one. Sets *result and
 * returns 0, or returns -1 with err filled (FK_ERROR_USAGE for a bad path,
 * FK_ERROR_DB for a link or another I/O failure), leaving path as it
 * was. */
int fk_export_write(int dir_fd, const char *path, const char *data, size_t len,
                    enum fk_export_write_result *result, struct fk_error *err);

/* What fk_export_remove did. */
enum fk_export_remove_result {
    FK_EXPORT_REMOVED,  /* the file is gone, and its bundle directory when
                           that was left empty */
    FK_EXPORT_ABSENT,   /* there was no such file */
    FK_EXPORT_MODIFIED, /* the file is not what export wrote (its hash is
                           not hash): left alone */
};

/* Remove the file path (as for fk_export_write) from the directory dir_fd
 * if it still holds what export wrote there, whose fk_export_hash is hash.
 * A symbolic link or anything but a regular file is left alone (an
 * error); a bundle directory is removed only when empty. Sets *result and
 * returns 0, or -1 with err filled. */
int fk_export_remove(int dir_fd, const char *path, uint64_t hash,
                     enum fk_export_remove_result *result, struct fk_error *err);

/* --- assets ------------------------------------------------------------------ */

/* The longest name of an asset file: 16 hex digits, "." and an
 * extension. */
#define FK_EXPORT_ASSET_NAME_SIZE 32
/* Room for the path of an asset file in the export directory, or for the
 * link to it: a bundle's name, "/" and an asset name. */
#define FK_EXPORT_ASSET_PATH_SIZE (FK_EXPORT_NAME_SIZE + FK_EXPORT_ASSET_NAME_SIZE)

/* The extension of files of media type mime (parameters allowed, any
 * case): "png", "jpg", "gif", "webp", "avif", "svg", "heic", "heif",
 * "bmp", "ico", "tiff", "mp4", "mov", "webm", "mkv", "ogv", "avi", "m4a",
 * "mp3", "ogg", "wav", "flac", "weba" (audio/webm), "mka"
 * (audio/x-matroska); "bin" for any other type and for NULL. */
const char *fk_export_asset_extension(const char *mime);

/* Write into out (FK_EXPORT_ASSET_NAME_SIZE bytes) the file name of an
 * asset: the first 16 hex digits of its SHA-256 and the extension of its
 * media type ("3a7bd3e2360a3d29.png"). The name says what the file holds,
 * so a file of that name and size is not written again. */
void fk_export_asset_name(const unsigned char sha256[32], const char *mime, char *out);

/* Where export --assets copy puts the asset file file (an
 * fk_export_asset_name) of the article whose unique name is name: into
 * path (FK_EXPORT_ASSET_PATH_SIZE bytes) its path in the export directory,
 * and into link (as many) the relative link to it from the
 * article's file. Hugo: in the page bundle, "NAME/FILE", linked "FILE";
 * Obsidian: "attachments/FILE"; plain and Jekyll: "assets/FILE" (linked
 * by the same path, the files being at the top of the directory). */
void fk_export_asset_path(enum fk_export_profile profile, const char *name, const char *file,
                          char *path, char *link);

/* Append markdown to out with every Hugo shortcode made text: each
 * "{{< x >}}" and "{{% x %}}" in Hugo's escaped form (a slash and a star
 * after the opening delimiter, a star and a slash before the closing one),
 * which Hugo shows as it was, in code too; an opening "{{<" or "{{%" that
 * is never closed gets a zero-width space after its braces. The body of a
 * Hugo export, whose articles may well be about templates. */
void fk_export_escape_shortcodes(struct fk_buf *out, const char *markdown);

/* Append markdown to out with the links rewritten: each place where the
 * url of one of links is written exactly, right after "(", "<" or a
 * quote and right before ")", ">", a quote, a space or a line end (an
 * image or link destination, an HTML attribute value of the Markdown's
 * HTML blocks, where "&" may also be written "&amp;"), becomes its
 * target. Fenced code blocks are left as they are: code that shows a URL
 * shows it. The first link of a url wins. */
void fk_export_rewrite_links(struct fk_buf *out, const char *markdown,
                             const struct fk_export_link *links, size_t nlinks);

/* The assets export --assets copy wrote for one article. */
struct fk_export_assets {
    struct fk_export_link *links; /* stored URLs to their relative links,
                                     for fk_export_options */
    size_t nlinks;
    size_t written;          /* asset files written */
    size_t kept;             /* asset files already there (the name and size
                                match), or written for this run already */
    size_t failed;           /* asset files that could not be written: their URLs
                                stay remote */
    struct fk_error failure; /* why the first of them failed */
    void *priv;
};

/* Where export --assets copy puts the files articles share (plain,
 * Jekyll, Obsidian) when not where fk_export_asset_path says: a folder a
 * site publishes (Jekyll publishes nothing under _posts). */
struct fk_export_asset_folder {
    int dir_fd;       /* the folder (fk_export_open_dir): files go right in
                         it */
    const char *link; /* what the links to its files start with, before
                         the file name ("/assets/feeds/", "../assets/") */
};

/* Append to out the relative path from the directory from to the
 * directory to (both absolute and canonical, as realpath gives them),
 * ending with "/" ("../../assets/"; "" when they are the same). */
void fk_export_relative_dir(struct fk_buf *out, const char *from, const char *to);

/* Append link, a path or URL prefix of an asset link, to out as a
 * Markdown destination holds it: bytes that would end or break one
 * (spaces, control characters, "(", ")", "<", ">", quotes, "\") and
 * bytes outside ASCII percent-encoded, the rest as they are. */
void fk_export_add_link(struct fk_buf *out, const char *link);

/* Write the stored assets of article id, whose unique name is name, into
 * the export directory dir_fd, where fk_export_asset_path puts them for
 * profile, or for a profile other than Hugo into folder when it is not
 * NULL: each file once (one of the same name and size is kept, as is
 * one already written for this run), atomically (fk_export_write). A URL
 * the archive has not stored, or whose file could not be written, gets
 * no link: it stays remote. Fills out (release it with
 * fk_export_assets_release). Returns 0, or -1 with err filled when the
 * archive cannot be read (out then holds what was done). */
int fk_export_copy_assets(struct fk_store *store, int dir_fd, enum fk_export_profile profile,
                          const struct fk_export_asset_folder *folder, int64_t id, const char *name,
                          struct fk_export_assets *out, struct fk_error *err);

/* Free what out holds and zero it. A zeroed struct is allowed. */
void fk_export_assets_release(struct fk_export_assets *out);

/* --- one article as a page -------------------------------------------------- */

/* The most bytes of images fk_export_html_page inlines into one page
 * (before base64): the images past it stay remote. */
#define FK_EXPORT_PAGE_INLINE_MAX ((size_t)32 << 20)

/* Append a self-contained HTML5 page of article (from
 * fk_store_get_article): a UTF-8 charset, a Content-Security-Policy that
 * lets nothing run (no script, frame, object, form or font; images and
 * media from data: and the web), the title, a header with the author, the
 * date, the feed and a link to the source, then the article's Markdown
 * rendered as HTML (fk_content_markdown_to_html: the content stage's
 * output, without scripts or event handlers), with every image the
 * archive stores inlined as a data: URI (base64) up to
 * FK_EXPORT_PAGE_INLINE_MAX bytes, images not stored left as their URLs,
 * and a small inline stylesheet. *inlined (when not NULL) is set to the
 * number of images inlined, *remote to the stored ones left out for the
 * cap. Returns 0, or -1 with err filled when the archive cannot be
 * read. */
int fk_export_html_page(struct fk_buf *out, struct fk_store *store,
                        const struct fk_article *article, size_t *inlined, size_t *remote,
                        struct fk_error *err);

/* Append the base64 (RFC 4648, with padding, no line breaks) of len bytes
 * of data to out. */
void fk_export_base64(struct fk_buf *out, const void *data, size_t len);

#endif
