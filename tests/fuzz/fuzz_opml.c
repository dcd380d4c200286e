/* fuzz_opml.c - libFuzzer harness: an OPML list's bytes through the
 * reader, as `opml import` hands them over (a file descriptor) and from
 * memory.
 *
 * Input: two control bytes, then the document.
 *
 *   byte 0: stop after that many outlines (the callback returns non-zero);
 *     0 never stops.
 *   byte 1, how the bytes arrive: 0 all in memory (fk_opml_parse_memory);
 *     otherwise through fk_opml_parse_fd from a packet socket, whose reads
 *     return exactly the chunks written: 1-127 chunks of that many bytes,
 *     128-255 chunks of sizes drawn from a generator seeded by the byte
 *     (but never more than MAX_PACKETS chunks).
 *
 * Checked for every input (opml.h's promises): each outline has a URL,
 * trimmed and not empty, and its folders are named and at most 16; a
 * stopped read returns -1 and leaves the error alone; any other -1 or 1
 * says why.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "feedkeep/opml.h"
#include "fuzz.h"

/* The biggest chunk the reader takes at once (FK_XML_CHUNK_SIZE); a packet
 * longer than the read would be cut. */
#define MAX_CHUNK   ((size_t)64 << 10)
#define MAX_PACKETS 4096

struct writer {
    int fd;
    const uint8_t *data;
    size_t len;
    unsigned mode;
};

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
            break; /* the reader stopped and closed its end */
        off += (size_t)sent;
    }
    close(w->fd); /* end of the document */
    return NULL;
}

struct run {
    unsigned stop_after; /* 0: never */
    unsigned outlines;
};

static bool trimmed(const char *s)
{
    size_t len = strlen(s);
    return len > 0 && !strchr(" \t\r\n", s[0]) && !strchr(" \t\r\n", s[len - 1]);
}

static int on_outline(const struct fk_opml_outline *o, void *ctx)
{
    struct run *run = ctx;
    FUZZ_CHECK(o->url && trimmed(o->url));
    FUZZ_CHECK(!o->name || trimmed(o->name));
    FUZZ_CHECK(!o->site_url || trimmed(o->site_url));
    FUZZ_CHECK(o->nfolders <= 16);
    for (size_t i = 0; i < o->nfolders; i++)
        FUZZ_CHECK(o->folders[i] && trimmed(o->folders[i]));
    run->outlines++;
    return run->stop_after && run->outlines >= run->stop_after;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct run run = {.stop_after = data[0], .outlines = 0};
    unsigned mode = data[1];
    data += 2;
    size -= 2;
    struct fk_error err = {0};
    int rc;

    if (mode == 0) {
        rc = fk_opml_parse_memory((const char *)data, size, on_outline, &run, &err);
    } else {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) < 0)
            abort();
        struct writer w = {fds[1], data, size, mode};
        pthread_t thread;
        if (pthread_create(&thread, NULL, write_chunks, &w) != 0)
            abort();
        rc = fk_opml_parse_fd(fds[0], on_outline, &run, &err);
        close(fds[0]); /* a writer still sending gets EPIPE and ends */
        pthread_join(thread, NULL);
    }

    FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
    bool stopped = run.stop_after && run.outlines >= run.stop_after;
    if (stopped)
        FUZZ_CHECK(rc == -1 && err.message[0] == '\0');
    else if (rc != 0)
        FUZZ_CHECK(err.message[0] != '\0');
    return 0;
}
