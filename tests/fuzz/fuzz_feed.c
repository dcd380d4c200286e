/* fuzz_feed.c - libFuzzer harness: a feed's bytes through the parser, as
 * `import` (a file descriptor) and `fetch` (memory) hand them over.
 *
 * Input: two control bytes, then the document.
 *
 *   byte 0, options: bit 0 gives a document URL (relative links resolve);
 *     bits 1-3 pick a charset override (or none); bit 4 marks it as a hint
 *     from the transport; bit 5 converts each item's HTML as import does.
 *   byte 1, how the bytes arrive: 0 all in memory (fk_feed_parse_memory);
 *     otherwise through fk_feed_parse_fd from a packet socket, whose reads
 *     return exactly the chunks written, so the push parser and the decoder
 *     see chunk boundaries anywhere: 1-127 chunks of that many bytes,
 *     128-255 chunks of sizes drawn from a generator seeded by the byte
 *     (but never more than MAX_PACKETS chunks).
 *
 * Every field of every item and of the feed is read, and the promises of
 * feed.h that hold whatever the input are checked.
 */
#include "feed_run.h"

static const char *const charsets[8] = {
    NULL, "utf-8", "iso-8859-1", "windows-1252", "utf-16", "koi8-r", "shift_jis", "no-such-charset",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned options = data[0], mode = data[1];
    data += 2;
    size -= 2;

    struct fk_parse_options opts = {
        .base_url = (options & 1) ? "https://example.com/blog/feed.xml" : NULL,
        .charset = charsets[(options >> 1) & 7],
        .charset_is_hint = (options & 16) != 0,
    };
    run_document(data, size, &opts, mode, (options & 32) != 0);
    return 0;
}
