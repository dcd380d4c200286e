/* fuzz_media.c - libFuzzer harness: downloaded bytes through the media
 * type sniffer and the SVG safety check.
 *
 * Input: one control byte, then the bytes.
 *
 *   byte 0: bits 0-2 pick the declared Content-Type (or none).
 *
 * Checked for every input (media.h's promises): the sniffed type is one of
 * the static strings, never NULL, and its class does not depend on the
 * declared type unless the bytes are a container of audio or video; the
 * SVG check gives a reason exactly when it refuses, and refuses anything
 * that is not well-formed XML with an svg root.
 */
#include <string.h>

#include "feedkeep/media.h"
#include "fuzz.h"

static const char *const declared_types[8] = {
    NULL,         "image/png", "image/svg+xml", "text/html; charset=utf-8",
    "audio/webm", "video/ogg", "audio/mp4",     "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *declared = declared_types[data[0] & 7];
    const char *bytes = (const char *)data + 1;
    size_t len = size - 1;

    const char *type = fk_media_sniff(bytes, len, declared);
    FUZZ_CHECK(type != NULL);
    const char *plain = fk_media_sniff(bytes, len, NULL);
    enum fk_media_class class = fk_media_class_of(type);
    if (class == FK_MEDIA_IMAGE || class == FK_MEDIA_OTHER)
        FUZZ_CHECK(strcmp(type, plain) == 0);

    const char *why = "unset";
    bool safe = fk_media_svg_safe(bytes, len, &why);
    FUZZ_CHECK(safe == (why == NULL));
    if (safe)
        FUZZ_CHECK(len > 0 && memchr(bytes, '<', len) != NULL);
    return 0;
}
