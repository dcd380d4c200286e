/* filing.h - articles filed as a feed would file them, for the unit
 * tests of the store's queries: an item and its content in one struct,
 * and a feed filed in one call, as archive.c files it (fk_store_find_item,
 * then fk_store_put_item, in one transaction). Static inline, so that a
 * test includes what it uses.
 */
#ifndef FEEDKEEP_TEST_FILING_H
#define FEEDKEEP_TEST_FILING_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/feed.h"
#include "feedkeep/store.h"

/* An item and its content; the strings are literals, never written. */
struct entry {
    struct fk_item item;
    struct fk_content content;
    char *tags[4];
    struct fk_code_block code[4];
};

/* An entry of the article guid, by author, on day day of June 2026 (0:
 * no date). */
static inline void entry_init(struct entry *e, char *guid, char *author, char *text, int day)
{
    memset(e, 0, sizeof *e);
    e->item.guid = guid;
    e->item.title = guid;
    e->item.author = author;
    e->item.published =
        day ? fk_date_days_from_civil(2026, 6, day) * 86400 + 12 * 3600 : FK_TIME_NONE;
    e->item.updated = FK_TIME_NONE;
    e->item.tags = e->tags;
    e->item.content_html = text;
    e->content.text = text;
    e->content.markdown = text;
    e->content.code_blocks = e->code;
}

static inline void entry_tag(struct entry *e, char *tag)
{
    e->tags[e->item.ntags++] = tag;
}

static inline void entry_code(struct entry *e, char *language, char *code)
{
    e->code[e->content.ncode_blocks++] = (struct fk_code_block){language, code, 1};
}

/* File the entries as one feed at url; the number filed new or updated,
 * or -1. */
static inline int file_feed(struct fk_store *store, const char *url, const struct entry *entries,
                            int n)
{
    struct fk_error err = {0};
    int changed = 0;
    if (fk_store_begin_feed(store, url, NULL, &err) != 0) {
        fprintf(stderr, "begin_feed: %s\n", err.message);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct fk_store_pending *pending = NULL;
        enum fk_put_result result = FK_PUT_UNCHANGED;
        int seen = fk_store_find_item(store, &entries[i].item, &pending, &err);
        if (seen == 0 && fk_store_put_item(store, pending, &entries[i].content, &result, &err) != 0)
            seen = -1;
        if (seen < 0) {
            fprintf(stderr, "filing %s: %s\n", entries[i].item.guid, err.message);
            fk_store_end_feed(store, false, NULL, &err);
            return -1;
        }
        changed += result != FK_PUT_UNCHANGED;
    }
    if (fk_store_end_feed(store, true, NULL, &err) != 0) {
        fprintf(stderr, "end_feed: %s\n", err.message);
        return -1;
    }
    return changed;
}

#endif
