/* feed_run.h - what fuzz_feed and fuzz_json share: a document handed to
 * the feed parser in memory or in chunks from a packet socket, every field
 * read and the promises of feed.h checked. Included by one harness each.
 */
#ifndef FEEDKEEP_FEED_RUN_H
#define FEEDKEEP_FEED_RUN_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/feed.h"
#include "fuzz.h"

/* The biggest chunk the parser reads at once (CHUNK_SIZE in feed.c); a
 * packet longer than the read would be cut. */
#define MAX_CHUNK ((size_t)64 << 10)
/* The most packets one document is cut into: beyond that, two system calls
 * a packet would take most of the time, and the parser's own cost per chunk
 * is seen well enough. */
#define MAX_PACKETS 4096

struct writer {
    int fd;
    const uint8_t *data;
    size_t len;
    unsigned mode;
};

/* Size of the next chunk: fixed for modes below 128, else from a small
 * linear congruential generator, mostly short with an occasional long one. */
static size_t next_size(unsigned mode, uint32_t *state)
{
    if (mode < 128)
        return mode;
    *state = *state * 1103515245u + 12345u;
    uint32_t r = *state >> 8;
    if (r % 16 == 0)
        return 1 + r % MAX_CHUNK;
    return 1 + r % 300;
}

static void *write_chunks(void *arg)
{
    struct writer *w = arg;
    uint32_t state = w->mode;
    size_t off = 0;
    while (off < w->len) {
        size_t n = next_size(w->mode, &state);
        if (n < w->len / MAX_PACKETS)
            n = w->len / MAX_PACKETS;
        if (n > w->len - off)
            n = w->len - off;
        ssize_t sent = send(w->fd, w->data + off, n, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0)
            break; /* the parser stopped reading and closed its end */
        off += (size_t)sent;
    }
    close(w->fd); /* end of the document */
    return NULL;
}

static size_t read_string(const char *s)
{
    return s ? strlen(s) : 0;
}

static bool valid_kind(const char *kind)
{
    return kind && (strcmp(kind, "file") == 0 || strcmp(kind, "thumbnail") == 0);
}

static bool valid_format(const char *format)
{
    static const char *const formats[] = {"rss", "rdf", "atom", "cdf", "json", "forem"};
    for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i]) == 0)
            return true;
    return false;
}

static void read_info(const struct fk_feed_info *info)
{
    read_string(info->title);
    read_string(info->title_html);
    read_string(info->site_url);
    read_string(info->self_url);
    read_string(info->description);
    read_string(info->language);
    read_string(info->image_url);
    read_string(info->updated_raw);
    read_string(info->error);
}

struct run {
    bool convert;
    size_t feeds, items;
};

static int on_feed(const struct fk_feed_info *info, void *ctx)
{
    struct run *run = ctx;
    FUZZ_CHECK(run->feeds == 0 && run->items == 0);
    run->feeds++;
    read_info(info);
    return 0;
}

static int on_item(const struct fk_item *item, void *ctx)
{
    struct run *run = ctx;
    FUZZ_CHECK(run->feeds == 1);
    run->items++;
    read_string(item->guid);
    read_string(item->url);
    read_string(item->title);
    read_string(item->title_html);
    read_string(item->author);
    read_string(item->base_url);
    FUZZ_CHECK(item->published == fk_date_parse(item->published_raw));
    FUZZ_CHECK(item->updated == fk_date_parse(item->updated_raw));
    FUZZ_CHECK(item->ntags <= FK_FEED_TAGS_MAX);
    for (size_t i = 0; i < item->ntags; i++)
        FUZZ_CHECK(item->tags[i] != NULL && read_string(item->tags[i]) < SIZE_MAX);
    FUZZ_CHECK(item->nenclosures <= FK_FEED_ENCLOSURES_MAX);
    for (size_t i = 0; i < item->nenclosures; i++) {
        const struct fk_enclosure *e = &item->enclosures[i];
        FUZZ_CHECK(e->url != NULL);
        read_string(e->url);
        read_string(e->type);
        FUZZ_CHECK(e->length >= -1);
        FUZZ_CHECK(valid_kind(e->kind));
    }
    read_string(item->summary_html);
    read_string(item->content_html);
    if (run->convert) {
        /* as archive.c and cmd_parse.c do */
        const char *html = item->content_html ? item->content_html : item->summary_html;
        struct fk_content content = {0};
        struct fk_error err = {0};
        fk_content_from_html(html, read_string(html), item->base_url, &content, &err);
        fk_content_release(&content);
    }
    return 0;
}

/* Parse size bytes of data as a feed, in memory (mode 0) or in chunks
 * (see above), and check what feed.h promises. */
static void run_document(const uint8_t *data, size_t size, const struct fk_parse_options *opts,
                         unsigned mode, bool convert)
{
    struct run run = {.convert = convert, .feeds = 0, .items = 0};
    struct fk_feed_handler handler = {on_feed, on_item, &run};
    struct fk_feed_info final;
    struct fk_error err = {0};
    int rc;

    if (mode == 0) {
        rc = fk_feed_parse_memory((const char *)data, size, opts, &handler, &final, &err);
    } else {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) < 0)
            abort();
        struct writer w = {fds[1], data, size, mode};
        pthread_t thread;
        if (pthread_create(&thread, NULL, write_chunks, &w) != 0)
            abort();
        rc = fk_feed_parse_fd(fds[0], opts, &handler, &final, &err);
        close(fds[0]); /* a writer still sending gets EPIPE and ends */
        pthread_join(thread, NULL);
    }

    if (rc == 0) {
        FUZZ_CHECK(run.feeds == 1);
        read_info(&final);
        FUZZ_CHECK(valid_format(final.format));
        FUZZ_CHECK(final.well_formed == (final.error == NULL));
        FUZZ_CHECK(final.updated == fk_date_parse(final.updated_raw));
    } else {
        FUZZ_CHECK(err.message[0] != '\0');
        FUZZ_CHECK(final.title == NULL && final.error == NULL);
    }
    fk_feed_info_release(&final);
}

#endif
