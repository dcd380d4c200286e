/* fuzz_json.c - libFuzzer harness: a JSON Feed document's bytes (or a
 * dev.to API response's: an article list or one article) through the
 * feed parser (jsonfeed.c, behind feed.c's choice of reader), as `import`
 * (a file descriptor) and `fetch` (memory) hand them over.
 *
 * Input: two control bytes, then the document.
 *
 *   byte 0, options: bit 0 gives a document URL (relative links resolve);
 *     bit 5 converts each item's HTML as import does.
 *   byte 1, how the bytes arrive, as in fuzz_feed: 0 all in memory,
 *     otherwise in chunks of the sizes that byte picks.
 *
 * A document that the parser would not read as JSON (its first byte but
 * blanks and a byte order mark is not '{' or '[') is skipped: fuzz_feed covers
 * those. Every field is read and the promises of feed.h are checked.
 */
#include "feed_run.h"

/* Whether the document goes to the JSON Feed reader. */
static bool is_json(const uint8_t *data, size_t size)
{
    size_t at = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (at < size &&
           (data[at] == ' ' || data[at] == '\t' || data[at] == '\n' || data[at] == '\r'))
        at++;
    return at < size && (data[at] == '{' || data[at] == '[');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned options = data[0], mode = data[1];
    data += 2;
    size -= 2;
    if (!is_json(data, size))
        return 0;
    struct fk_parse_options opts = {
        .base_url = (options & 1) ? "https://example.com/blog/feed.json" : NULL,
    };
    run_document(data, size, &opts, mode, (options & 32) != 0);
    return 0;
}
