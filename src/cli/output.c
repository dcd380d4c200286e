/* output.c - formats of the listing commands, and the rule that text from
 * feeds reaches the user's terminal only without control characters or
 * escape sequences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "feedkeep/json.h"

static const struct {
    const char *name;
    enum out_format format;
} formats[] = {
    {"table", OUT_TABLE},
    {"tsv", OUT_TSV},
    {"csv", OUT_CSV},
    {"json", OUT_JSON},
};

int out_format_parse(const char *name, enum out_format *out)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return 0;
        }
    }
    return -1;
}

bool out_is_terminal(void)
{
    return isatty(STDOUT_FILENO);
}

enum out_format out_format_default(void)
{
    return out_is_terminal() ? OUT_TABLE : OUT_TSV;
}

int out_terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* Decode one UTF-8 sequence at s (len > 0 bytes). Returns its length and
 * sets *cp, or returns 0 when the bytes are not valid UTF-8. */
static size_t decode_utf8(const char *s, size_t len, unsigned *cp)
{
    size_t n = fk_utf8_valid_prefix(s, len < 4 ? len : 4);
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t seq = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    if (n < seq)
        return 0;
    unsigned c = p[0] & (0x7F >> seq);
    for (size_t i = 1; i < seq; i++)
        c = (c << 6) | (p[i] & 0x3F);
    *cp = c;
    return seq;
}

/* Length of the escape sequence starting with ESC at s, so it can be
 * skipped whole: CSI (ESC [ ... final byte), OSC/DCS/PM/APC strings (ended by
 * BEL or ESC \), or ESC and one more byte. */
static size_t escape_length(const char *s, size_t len)
{
    size_t i = 1;
    if (i >= len)
        return 1;
    char kind = s[i++];
    if (kind == '[') {
        while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7E))
            i++;
        return i < len ? i + 1 : len;
    }
    if (kind == ']' || kind == 'P' || kind == '^' || kind == '_') {
        for (; i < len; i++) {
            if (s[i] == '\a')
                return i + 1;
            if (s[i] == '\033' && i + 1 < len && s[i + 1] == '\\')
                return i + 2;
        }
        return len;
    }
    return 2;
}

void out_add_safe(struct fk_buf *out, const char *s, bool keep_newlines)
{
    if (!s)
        return;
    size_t len = strlen(s);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\033') {
            i += escape_length(s + i, len - i);
        } else if (c == '\n' || c == '\t') {
            fk_buf_addc(out, keep_newlines ? (char)c : ' ');
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            i++;
        } else if (c < 0x80) {
            size_t start = i;
            while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
                i++;
            fk_buf_add(out, s + start, i - start);
        } else {
            unsigned cp;
            size_t n = decode_utf8(s + i, len - i, &cp);
            if (n == 0) {
                fk_buf_adds(out, "\xEF\xBF\xBD");
                i++;
            } else {
                /* Dropped: C1 controls (U+0080..U+009F), and the bidi
                 * embeddings, overrides and isolates, which make a terminal
                 * that orders text show the rest of the line reversed. */
                if (cp >= 0xA0 && !(cp >= 0x202A && cp <= 0x202E) &&
                    !(cp >= 0x2066 && cp <= 0x2069))
                    fk_buf_add(out, s + i, n);
                i += n;
            }
        }
    }
}

char *out_safe_dup(const char *s)
{
    struct fk_buf buf = FK_BUF_INIT;
    out_add_safe(&buf, s ? s : "", false);
    return fk_buf_detach(&buf);
}

void out_add_tsv(struct fk_buf *out, const char *s)
{
    struct fk_buf clean = FK_BUF_INIT;
    out_add_safe(&clean, s, true);
    for (size_t i = 0; i < clean.len; i++) {
        char c = clean.data[i];
        if (c == '\t')
            fk_buf_adds(out, "\\t");
        else if (c == '\n')
            fk_buf_adds(out, "\\n");
        else if (c == '\\')
            fk_buf_adds(out, "\\\\");
        else
            fk_buf_addc(out, c);
    }
    fk_buf_release(&clean);
}

void out_add_csv(struct fk_buf *out, const char *s)
{
    struct fk_buf clean = FK_BUF_INIT;
    out_add_safe(&clean, s, false);
    const char *text = clean.data ? clean.data : "";
    if (!strpbrk(text, "\",")) {
        fk_buf_adds(out, text);
    } else {
        fk_buf_addc(out, '"');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                fk_buf_addc(out, '"');
            fk_buf_addc(out, *p);
        }
        fk_buf_addc(out, '"');
    }
    fk_buf_release(&clean);
}

/* Columns a code point takes on a terminal: 2 for the wide East Asian and
 * emoji ranges, 0 for combining marks, else 1. */
static int columns_of(unsigned cp)
{
    static const unsigned wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF}, {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
    };
    if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    }
    return 1;
}

void out_add_cell(struct fk_buf *out, const char *s, int width, bool pad)
{
    struct fk_buf clean = FK_BUF_INIT;
    out_add_safe(&clean, s, false);
    const char *text = clean.data ? clean.data : "";
    size_t len = clean.len;

    /* Measure; when it does not fit, keep what fits in width - 1 columns and
     * add an ellipsis. */
    int total = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp = 0xFFFD;
        size_t n = decode_utf8(text + i, len - i, &cp);
        total += columns_of(cp);
        i += n ? n : 1;
    }
    int used = 0;
    if (total <= width) {
        fk_buf_add(out, text, len);
        used = total;
    } else if (width > 0) {
        size_t i = 0;
        while (i < len) {
            unsigned cp = 0xFFFD;
            size_t n = decode_utf8(text + i, len - i, &cp);
            int w = columns_of(cp);
            if (used + w > width - 1)
                break;
            fk_buf_add(out, text + i, n ? n : 1);
            used += w;
            i += n ? n : 1;
        }
        fk_buf_adds(out, "\xE2\x80\xA6"); /* U+2026 HORIZONTAL ELLIPSIS */
        used++;
    }
    while (pad && used++ < width)
        fk_buf_addc(out, ' ');
    fk_buf_release(&clean);
}

void out_table_start(struct fk_buf *out, const struct out_column *cols, size_t ncols, int *widths)
{
    int fixed = 0;
    size_t flexible = ncols;
    for (size_t i = 0; i < ncols; i++) {
        widths[i] = cols[i].width;
        if (cols[i].width)
            fixed += cols[i].width + 2;
        else
            flexible = i;
    }
    if (flexible < ncols) {
        int rest = out_terminal_width() - fixed - (flexible + 1 < ncols ? 2 : 0);
        widths[flexible] = rest < 10 ? 10 : rest;
    }
    for (size_t i = 0; i < ncols; i++) {
        out_add_cell(out, cols[i].heading, widths[i], i + 1 < ncols);
        fk_buf_adds(out, i + 1 < ncols ? "  " : "\n");
    }
}

void out_flush(struct fk_buf *buf)
{
    if (buf->len)
        fwrite(buf->data, 1, buf->len, stdout);
    fk_buf_reset(buf);
}

void out_delay(int64_t seconds, char *out, size_t size)
{
    if (seconds < 60) {
        snprintf(out, size, "%llds", (long long)(seconds > 0 ? seconds : 0));
        return;
    }
    long long minutes = (long long)((seconds + 30) / 60);
    long long hours = minutes / 60;
    if (hours == 0)
        snprintf(out, size, "%lldm", minutes);
    else if (hours < 48 && minutes % 60)
        snprintf(out, size, "%lldh%02lldm", hours, minutes % 60);
    else if (hours < 48)
        snprintf(out, size, "%lldh", hours);
    else if (hours % 24)
        snprintf(out, size, "%lldd%lldh", hours / 24, hours % 24);
    else
        snprintf(out, size, "%lldd", hours / 24);
}

/* The escape sequences of the styles (SGR). */
static const char *const style_codes[] = {
    [OUT_STYLE_RESET] = "\033[0m",  [OUT_STYLE_MATCH] = "\033[1;31m",
    [OUT_STYLE_ADDED] = "\033[32m", [OUT_STYLE_REMOVED] = "\033[31m",
    [OUT_STYLE_HUNK] = "\033[36m",  [OUT_STYLE_BOLD] = "\033[1m",
};

bool out_use_color(void)
{
    /* https://no-color.org: set and not empty means no colour. */
    const char *no_color = getenv("NO_COLOR");
    return out_is_terminal() && !(no_color && *no_color);
}

void out_add_style(struct fk_buf *out, enum out_style style)
{
    static int color = -1;
    if (color < 0)
        color = out_use_color();
    if (color && (unsigned)style < sizeof style_codes / sizeof style_codes[0])
        fk_buf_adds(out, style_codes[style]);
}

void out_add_marked(struct fk_buf *out, const char *s, bool styled, int width)
{
    struct fk_buf clean = FK_BUF_INIT, piece = FK_BUF_INIT;
    /* Sanitise the text between the marks, keeping the marks. */
    const char *p = s ? s : "";
    while (*p) {
        size_t n = strcspn(p, OUT_MARK_OPEN OUT_MARK_CLOSE);
        fk_buf_reset(&piece);
        fk_buf_add(&piece, p, n);
        out_add_safe(&clean, piece.data, false);
        p += n;
        if (*p)
            fk_buf_addc(&clean, *p++);
    }
    /* Copy it, the marks as styles or brackets, runs of white space as one
     * space (a snippet is not laid out), cut to width columns. */
    const char *text = clean.data ? clean.data : "";
    int used = 0;
    bool open = false, space = false;
    for (size_t i = 0; i < clean.len;) {
        char c = text[i];
        if (c == OUT_MARK_OPEN[0] || c == OUT_MARK_CLOSE[0]) {
            open = c == OUT_MARK_OPEN[0];
            if (styled)
                out_add_style(out, open ? OUT_STYLE_MATCH : OUT_STYLE_RESET);
            else
                fk_buf_addc(out, open ? '[' : ']');
            i++;
            continue;
        }
        if (c == ' ' && space) {
            i++;
            continue;
        }
        space = c == ' ';
        unsigned cp = 0xFFFD;
        size_t n = decode_utf8(text + i, clean.len - i, &cp);
        if (!n)
            n = 1;
        int w = columns_of(cp);
        if (width > 0 && used + w > width - 1 && i + n < clean.len) {
            fk_buf_adds(out, "\xE2\x80\xA6");
            break;
        }
        fk_buf_add(out, text + i, n);
        used += w;
        i += n;
    }
    if (open && styled)
        out_add_style(out, OUT_STYLE_RESET);
    else if (open)
        fk_buf_addc(out, ']');
    fk_buf_release(&clean);
    fk_buf_release(&piece);
}

void out_unmark(struct fk_buf *out, const char *s)
{
    fk_buf_adds(out, "");
    for (const char *p = s ? s : ""; *p; p++) {
        if (strchr(" \t\n\r", *p)) {
            /* White space as one space: a snippet is not laid out. */
            if (out->len && out->data[out->len - 1] != ' ')
                fk_buf_addc(out, ' ');
            continue;
        }
        fk_buf_addc(out, *p == OUT_MARK_OPEN[0] ? '[' : *p == OUT_MARK_CLOSE[0] ? ']' : *p);
    }
}

void out_article_json(struct fk_buf *out, const struct fk_article *a)
{
    fk_buf_printf(out, "\"id\":%lld,\"guid\":", (long long)a->id);
    fk_json_string(out, a->guid);
    fk_buf_adds(out, ",\"url\":");
    fk_json_string(out, a->url);
    fk_buf_adds(out, ",\"title\":");
    fk_json_string(out, a->title);
    fk_buf_adds(out, ",\"author\":");
    fk_json_string(out, a->author);
    fk_buf_adds(out, ",\"date\":");
    fk_json_time(out, a->date);
    fk_buf_adds(out, ",\"published\":");
    fk_json_time(out, a->published);
    fk_buf_adds(out, ",\"updated\":");
    fk_json_time(out, a->updated);
    fk_buf_adds(out, ",\"first_seen\":");
    fk_json_time(out, a->first_seen);
    fk_buf_adds(out, ",\"last_seen\":");
    fk_json_time(out, a->last_seen);
    fk_buf_adds(out, ",\"tags\":[");
    for (size_t i = 0; i < a->ntags; i++) {
        if (i)
            fk_buf_addc(out, ',');
        fk_json_string(out, a->tags[i]);
    }
    fk_buf_adds(out, "],\"feed\":");
    fk_json_string(out, a->feed_url);
}

void out_add_field(struct fk_buf *out, enum out_format format, const char *s)
{
    if (format == OUT_CSV)
        out_add_csv(out, s);
    else
        out_add_tsv(out, s);
}
