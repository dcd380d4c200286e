/* output.c - formats of the listing commands, and the rule that text from
 * feeds reaches the user's terminal only without control characters or
 * escape sequences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"
#include "feedkeep/date.h"
#include "feedkeep/json.h"
#include "feedkeep/utf8.h"

static const struct cli_name formats[] = {
    {"table", OUT_TABLE},
    {"tsv", OUT_TSV},
    {"csv", OUT_CSV},
    {"json", OUT_JSON},
};

int out_format_parse(const char *name, enum out_format *out)
{
    int format = CLI_NAME_VALUE(formats, name);
    if (format < 0)
        return -1;
    *out = (enum out_format)format;
    return 0;
}

/* The pager standard output goes to (show), or -1; while there is one,
 * output is for a terminal still, as wide as the terminal was. */
static pid_t pager_pid = -1;
static int pager_width;

bool out_is_terminal(void)
{
    return pager_pid > 0 || isatty(STDOUT_FILENO);
}

/* Whether program is an executable file in a directory of $PATH. */
static bool in_path(const char *program)
{
    const char *path = getenv("PATH");
    bool found = false;
    while (path && *path && !found) {
        size_t len = strcspn(path, ":");
        struct fk_buf file = FK_BUF_INIT;
        fk_buf_printf(&file, "%.*s/%s", (int)len, path, program);
        found = len && access(file.data, X_OK) == 0;
        fk_buf_release(&file);
        path += len + (path[len] == ':');
    }
    return found;
}

bool out_start_pager(void)
{
    if (pager_pid > 0 || !isatty(STDOUT_FILENO))
        return false;
    const char *pager = getenv("PAGER");
    if (!pager && !in_path("less"))
        return false;
    if (!pager)
        pager = "less -R";
    if (!*pager || strcmp(pager, "cat") == 0)
        return false;
    int width = out_terminal_width();
    int fds[2];
    if (pipe(fds) < 0)
        return false;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        /* As git does: quit at once when it fits on one screen, pass
         * colours, leave the screen as it was. */
        if (!getenv("LESS"))
            setenv("LESS", "FRX", 1);
        execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
        _exit(127);
    }
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    pager_pid = pid;
    pager_width = width;
    return true;
}

void out_end_pager(void)
{
    if (pager_pid <= 0)
        return;
    fflush(stdout);
    /* The pager sees the end of its input, and is waited for so that the
     * shell's prompt comes after it. */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    } else {
        close(STDOUT_FILENO);
    }
    int status;
    while (waitpid(pager_pid, &status, 0) < 0 && errno == EINTR)
        ;
    pager_pid = -1;
}

enum out_format out_format_default(void)
{
    return out_is_terminal() ? OUT_TABLE : OUT_TSV;
}

int out_terminal_width(void)
{
    if (pager_pid > 0)
        return pager_width;
    /* COLUMNS first, as the shell and the user set it; then the
     * terminal's own size. */
    const char *columns = getenv("COLUMNS");
    if (columns && *columns) {
        char *end;
        long n = strtol(columns, &end, 10);
        if (!*end && n >= 20 && n <= 10000)
            return (int)n;
    }
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
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
            uint32_t cp;
            size_t n = fk_utf8_decode(s + i, len - i, &cp);
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
    /* Most fields are printable ASCII with nothing to escape. */
    size_t n = 0;
    while ((unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7F && s[n] != '\\')
        n++;
    if (!s[n]) {
        fk_buf_add(out, s, n);
        return;
    }
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

/* Whether the locale (set by main) says how wide characters are: a
 * UTF-8 locale, whose wcwidth(3) knows them. */
static bool locale_knows_widths(void)
{
    static int knows = -1;
    if (knows < 0) {
        const char *codeset = nl_langinfo(CODESET);
        knows = codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    }
    return knows;
}

/* Columns a code point takes on a terminal: what wcwidth(3) says in a
 * UTF-8 locale; else (or for what it does not know) 2 for the wide East
 * Asian and emoji ranges, 0 for combining marks, else 1. */
static int columns_of(unsigned cp)
{
    if (locale_knows_widths()) {
        int w = wcwidth((wchar_t)cp);
        if (w >= 0)
            return w;
    }
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
        uint32_t cp = 0xFFFD;
        size_t n = fk_utf8_decode(text + i, len - i, &cp);
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
            uint32_t cp = 0xFFFD;
            size_t n = fk_utf8_decode(text + i, len - i, &cp);
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

int out_display_width(const char *s)
{
    struct fk_buf clean = FK_BUF_INIT;
    out_add_safe(&clean, s, false);
    int total = 0;
    for (size_t i = 0; i < clean.len;) {
        uint32_t cp = 0xFFFD;
        size_t n = fk_utf8_decode(clean.data + i, clean.len - i, &cp);
        total += columns_of(cp);
        i += n ? n : 1;
    }
    fk_buf_release(&clean);
    return total;
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
        uint32_t cp = 0xFFFD;
        size_t n = fk_utf8_decode(text + i, clean.len - i, &cp);
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
    fk_json_member_int(out, "id", a->id);
    fk_json_member_str(out, "guid", a->guid);
    fk_json_member_str(out, "url", a->url);
    fk_json_member_str(out, "title", a->title);
    fk_json_member_str(out, "author", a->author);
    fk_json_member_str(out, "author_email", a->author_email);
    fk_json_member_time(out, "date", a->date);
    fk_json_member_time(out, "published", a->published);
    fk_json_member_time(out, "updated", a->updated);
    fk_json_member_time(out, "first_seen", a->first_seen);
    fk_json_member_time(out, "last_seen", a->last_seen);
    fk_json_member_strings(out, "tags", a->tags, a->ntags);
    fk_json_member_str(out, "feed", a->feed_url);
}

void out_add_field(struct fk_buf *out, enum out_format format, const char *s)
{
    if (format == OUT_CSV)
        out_add_csv(out, s);
    else
        out_add_tsv(out, s);
}

/* ---- records of named fields ---------------------------------------------- */

bool out_utc;

static void add_table_day(struct fk_buf *out, int64_t t, int width);
static const char *heading_of(const struct out_field *field, struct fk_buf *buf);

/* Append the TSV or CSV text of a list: items joined by '|', a '|' or '\'
 * inside an item escaped with '\', so that any tag survives the trip. */
static void add_list_text(struct fk_buf *out, const char *const *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            fk_buf_addc(out, '|');
        for (const char *p = items[i] ? items[i] : ""; *p; p++) {
            if (*p == '|' || *p == '\\')
                fk_buf_addc(out, '\\');
            fk_buf_addc(out, *p);
        }
    }
    fk_buf_adds(out, "");
}

void out_add_table_day(struct fk_buf *out, int64_t t, int width)
{
    struct fk_buf day = FK_BUF_INIT;
    add_table_day(&day, t, width);
    out_add_cell(out, day.data, width, true);
    fk_buf_release(&day);
}

/* A time as a table shows it: the day, and the minute when the column is
 * 16 wide, in local time unless --utc. */
static void add_table_day(struct fk_buf *out, int64_t t, int width)
{
    if (t == FK_TIME_NONE) {
        fk_buf_addc(out, '-');
        return;
    }
    time_t when = (time_t)t;
    struct tm tm;
    if (out_utc ? !gmtime_r(&when, &tm) : !localtime_r(&when, &tm)) {
        fk_buf_addc(out, '-');
        return;
    }
    char day[32];
    strftime(day, sizeof day, width >= 16 ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm);
    fk_buf_adds(out, day);
}

/* n in decimal: listings print numbers on every line, and printf's
 * parsing of its format is most of the cost of a small one. */
static void add_int(struct fk_buf *out, int64_t n)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (n < 0)
        *--p = '-';
    fk_buf_add(out, p, (size_t)(digits + sizeof digits - p));
}

static void add_value_text(struct fk_buf *out, const struct out_value *v)
{
    char date[FK_DATE_BUFSIZE];
    switch (v->kind) {
    case OUT_V_NULL:
        break;
    case OUT_V_TEXT:
        fk_buf_adds(out, v->text ? v->text : "");
        break;
    case OUT_V_INT:
        add_int(out, v->number);
        break;
    case OUT_V_TIME:
        fk_buf_adds(out, fk_date_format(v->number, date));
        break;
    case OUT_V_REAL:
        fk_buf_printf(out, "%.6g", v->real);
        break;
    case OUT_V_LIST:
        add_list_text(out, v->list, v->count);
        break;
    case OUT_V_BOOL:
        fk_buf_adds(out, v->number ? "true" : "false");
        break;
    }
}

static void add_value_json(struct fk_buf *out, const struct out_value *v)
{
    switch (v->kind) {
    case OUT_V_NULL:
        fk_buf_adds(out, "null");
        break;
    case OUT_V_TEXT:
        fk_json_string(out, v->text);
        break;
    case OUT_V_TIME:
        fk_json_time(out, v->number);
        break;
    case OUT_V_LIST:
        fk_json_strings(out, v->list, v->count);
        break;
    case OUT_V_INT:
    case OUT_V_REAL:
    case OUT_V_BOOL: /* numbers, true and false: JSON writes them as text does */
        add_value_text(out, v);
        break;
    }
}

/* The text of a value in a table cell, before it is fitted: numbers as
 * they are, times as a day (and minute when the column is 16 wide), lists
 * joined by spaces, nothing as "-". */
static void add_value_cell_text(struct fk_buf *out, const struct out_value *v, int width)
{
    switch (v->kind) {
    case OUT_V_INT:
        fk_buf_printf(out, "%lld", (long long)v->number);
        break;
    case OUT_V_REAL:
        fk_buf_printf(out, "%.3g", v->real);
        break;
    case OUT_V_TIME:
        add_table_day(out, v->number, width);
        break;
    case OUT_V_LIST:
        for (size_t i = 0; i < v->count; i++) {
            if (i)
                fk_buf_addc(out, ' ');
            out_add_safe(out, v->list[i], false);
        }
        break;
    case OUT_V_TEXT:
        if (v->text && *v->text)
            out_add_safe(out, v->text, false);
        else
            fk_buf_addc(out, '-');
        break;
    case OUT_V_BOOL:
        fk_buf_adds(out, v->number ? "yes" : "no");
        break;
    case OUT_V_NULL:
        fk_buf_addc(out, '-');
        break;
    }
    fk_buf_adds(out, "");
}

static const struct out_field *find_field(const struct out_record *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->nfields; i++) {
        if (strlen(r->fields[i].name) == len && strncmp(r->fields[i].name, name, len) == 0)
            return &r->fields[i];
    }
    /* The table's own fields, for its defaults. */
    for (size_t i = 0; r->format == OUT_TABLE && !r->field_list && i < r->ntable_fields; i++) {
        if (strlen(r->table_fields[i].name) == len &&
            strncmp(r->table_fields[i].name, name, len) == 0)
            return &r->table_fields[i];
    }
    return NULL;
}

void out_record_table_fields(struct out_record *r, const struct out_field *fields, size_t n)
{
    r->table_fields = fields;
    r->ntable_fields = n;
}

/* Select the fields named in list (comma-separated) into r->chosen. */
static int choose(struct out_record *r, const char *command, const char *list)
{
    r->nchosen = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const struct out_field *field = find_field(r, p, len);
        if (!field || r->nchosen == OUT_MAX_FIELDS) {
            struct fk_buf names = FK_BUF_INIT;
            for (size_t i = 0; i < r->nfields; i++)
                fk_buf_printf(&names, "%s%s", i ? ", " : "", r->fields[i].name);
            if (field)
                msg_usage(command, "option '--fields': too many fields");
            else
                msg_usage(command, "option '--fields': no field '%.*s'; the fields are %s",
                          (int)len, p, names.data);
            fk_buf_release(&names);
            return EXIT_USAGE;
        }
        r->chosen[r->nchosen++] = field;
        p += len;
        if (*p == ',')
            p++;
    }
    if (r->nchosen == 0)
        return msg_usage(command, "option '--fields' needs at least one field name");
    return EXIT_OK;
}

void out_record_init(struct out_record *r, const struct out_field *fields, size_t nfields,
                     const char *defaults, const char *table_defaults)
{
    memset(r, 0, sizeof *r);
    r->format = out_format_default();
    r->fields = fields;
    r->nfields = nfields;
    r->defaults = defaults;
    r->table_defaults = table_defaults ? table_defaults : defaults;
    fk_buf_init(&r->buf, 0);
}

int out_format_option(const char *command, const char *arg, enum out_format *format)
{
    if (out_format_parse(arg, format) < 0)
        return msg_usage(command, "unknown format '%s'", arg);
    return CLI_CONTINUE;
}

int out_record_option(int opt, const char *arg, struct out_record *r, const char *command)
{
    switch (opt) {
    case 'f':
        r->format_given = true;
        return out_format_option(command, arg, &r->format);
    case CLI_OPT_FIELDS:
        r->field_list = arg;
        return CLI_CONTINUE;
    case CLI_OPT_HEADER:
        r->header = true;
        return CLI_CONTINUE;
    default:
        return CLI_NOT_COMMON;
    }
}

int out_listing_option(int opt, const char *arg, struct out_record *r, struct cli *cli,
                       const char *command, const char *help)
{
    int rc = out_record_option(opt, arg, r, command);
    if (rc == CLI_NOT_COMMON)
        rc = cli_common_option(opt, arg, cli, command, help);
    return rc == CLI_NOT_COMMON ? EXIT_USAGE : rc;
}

int out_record_start(struct out_record *r, const char *command)
{
    const char *list = r->field_list;
    if (!list && r->format == OUT_JSON) {
        /* JSON: every field, the whole record. */
        for (size_t i = 0; i < r->nfields && i < OUT_MAX_FIELDS; i++)
            r->chosen[i] = &r->fields[i];
        r->nchosen = r->nfields < OUT_MAX_FIELDS ? r->nfields : OUT_MAX_FIELDS;
    } else {
        if (!list)
            list = r->format == OUT_TABLE ? r->table_defaults : r->defaults;
        int code = choose(r, command, list);
        if (code != EXIT_OK)
            return code;
    }
    switch (r->format) {
    case OUT_TABLE:
        /* The header waits for the first rows, which size the columns. */
        r->table_rows = fk_xcalloc(OUT_TABLE_MEASURED, sizeof *r->table_rows);
        for (size_t i = 0; i < r->nchosen; i++)
            r->content[i] = out_display_width(heading_of(r->chosen[i], &r->buf));
        fk_buf_reset(&r->buf);
        return EXIT_OK;
    case OUT_CSV:
    case OUT_TSV:
        if (r->format == OUT_CSV || r->header) {
            for (size_t i = 0; i < r->nchosen; i++) {
                if (i)
                    fk_buf_addc(&r->buf, r->format == OUT_CSV ? ',' : '\t');
                fk_buf_adds(&r->buf, r->chosen[i]->name);
            }
            fk_buf_addc(&r->buf, '\n');
        }
        break;
    case OUT_JSON:
        break;
    }
    out_flush(&r->buf);
    return EXIT_OK;
}

/* A field's table heading into buf (reset): its own, else its name in
 * capitals with spaces for underscores. */
static const char *heading_of(const struct out_field *field, struct fk_buf *buf)
{
    fk_buf_reset(buf);
    if (field->heading) {
        fk_buf_adds(buf, field->heading);
    } else {
        for (const char *p = field->name; *p; p++)
            fk_buf_addc(buf, *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A')
                             : *p == '_'            ? ' '
                                                    : *p);
    }
    fk_buf_adds(buf, "");
    return buf->data;
}

/* Print one table row of cells with the widths chosen. */
static void print_table_row(struct out_record *r, char *const *cells)
{
    struct fk_buf *buf = &r->buf;
    for (size_t i = 0; i < r->nchosen; i++) {
        bool last = i + 1 == r->nchosen;
        if (r->chosen[i]->numeric) {
            for (int pad = out_display_width(cells[i]); pad < r->widths[i]; pad++)
                fk_buf_addc(buf, ' ');
            fk_buf_adds(buf, cells[i]);
        } else {
            out_add_cell(buf, cells[i], r->widths[i], !last);
        }
        fk_buf_adds(buf, last ? "\n" : "  ");
    }
    out_flush(buf);
}

/* Choose the column widths from the rows measured so far and print the
 * headings and those rows. Numbers and times take what they need; text
 * columns of a set width (tags, author) take what their content needs up
 * to it, and at most a quarter of the terminal; the flexible ones (width
 * 0: the title) share what is left, so a wide terminal shows whole titles
 * and a narrow one still shows some of each. */
static void table_flush(struct out_record *r)
{
    int total = out_terminal_width() - 2 * (int)(r->nchosen ? r->nchosen - 1 : 0);
    int used = 0, flexible = 0;
    for (size_t i = 0; i < r->nchosen; i++) {
        const struct out_field *field = r->chosen[i];
        int w = r->content[i];
        if (field->numeric) {
            /* as wide as the widest number */
        } else if (!field->width) {
            flexible++;
            continue;
        } else {
            int cap = field->width;
            if (cap > 10 && cap > total / 4)
                cap = total / 4 > 10 ? total / 4 : 10;
            if (w > cap)
                w = cap;
        }
        r->widths[i] = w;
        used += w;
    }
    int rest = total - used;
    /* Too narrow for the flexible columns' 10 each: the wide text columns
     * (tags, errors) give some back, down to 8. */
    for (size_t i = 0; i < r->nchosen && rest < 10 * flexible; i++) {
        if (r->chosen[i]->width >= 20 && !r->chosen[i]->numeric && r->widths[i] > 8) {
            int give = r->widths[i] - 8;
            if (give > 10 * flexible - rest)
                give = 10 * flexible - rest;
            r->widths[i] -= give;
            rest += give;
        }
    }
    for (size_t i = 0; i < r->nchosen && flexible; i++) {
        if (r->chosen[i]->width || r->chosen[i]->numeric)
            continue;
        int w = rest / flexible;
        if (w < 10)
            w = 10;
        if (w > r->content[i])
            w = r->content[i];
        r->widths[i] = w;
        rest -= w;
        flexible--;
    }
    /* Room left over goes to the text columns that were cut. */
    for (size_t i = 0; i < r->nchosen && rest > 0; i++) {
        int want = r->content[i] - r->widths[i];
        if (r->chosen[i]->width && !r->chosen[i]->numeric && want > 0) {
            int more = want < rest ? want : rest;
            r->widths[i] += more;
            rest -= more;
        }
    }
    struct fk_buf heading = FK_BUF_INIT;
    for (size_t i = 0; i < r->nchosen; i++) {
        out_add_cell(&r->buf, heading_of(r->chosen[i], &heading), r->widths[i], i + 1 < r->nchosen);
        fk_buf_adds(&r->buf, i + 1 < r->nchosen ? "  " : "\n");
    }
    fk_buf_release(&heading);
    out_flush(&r->buf);
    for (size_t n = 0; n < r->ntable_rows; n++) {
        print_table_row(r, r->table_rows[n].cells);
        for (size_t i = 0; i < r->nchosen; i++)
            free(r->table_rows[n].cells[i]);
    }
    free(r->table_rows);
    r->table_rows = NULL;
    r->ntable_rows = 0;
    r->table_started = true;
}

void out_record_row(struct out_record *r, const void *row)
{
    struct fk_buf *buf = &r->buf;
    struct fk_buf text = FK_BUF_INIT;
    if (r->format == OUT_TABLE) {
        char *cells[OUT_MAX_FIELDS];
        for (size_t i = 0; i < r->nchosen; i++) {
            struct out_value v = {OUT_V_NULL, NULL, 0, 0, NULL, 0};
            r->chosen[i]->get(row, &v);
            fk_buf_reset(&text);
            add_value_cell_text(&text, &v, r->chosen[i]->width);
            cells[i] = fk_buf_detach(&text);
        }
        if (r->table_started) {
            print_table_row(r, cells);
            for (size_t i = 0; i < r->nchosen; i++)
                free(cells[i]);
            return;
        }
        for (size_t i = 0; i < r->nchosen; i++) {
            int w = out_display_width(cells[i]);
            if (w > r->content[i])
                r->content[i] = w;
            r->table_rows[r->ntable_rows].cells[i] = cells[i];
        }
        if (++r->ntable_rows == OUT_TABLE_MEASURED)
            table_flush(r);
        return;
    }
    if (r->format == OUT_JSON)
        fk_buf_addc(buf, '{');
    for (size_t i = 0; i < r->nchosen; i++) {
        const struct out_field *field = r->chosen[i];
        struct out_value v = {OUT_V_NULL, NULL, 0, 0, NULL, 0};
        field->get(row, &v);
        switch (r->format) {
        case OUT_JSON:
            fk_json_key(buf, field->name);
            add_value_json(buf, &v);
            break;
        case OUT_TSV:
        case OUT_CSV:
            if (i)
                fk_buf_addc(buf, r->format == OUT_CSV ? ',' : '\t');
            fk_buf_reset(&text);
            add_value_text(&text, &v);
            out_add_field(buf, r->format, text.data ? text.data : "");
            break;
        case OUT_TABLE:
            break;
        }
    }
    fk_buf_adds(buf, r->format == OUT_JSON ? "}\n" : "\n");
    fk_buf_release(&text);
    out_flush(buf);
}

void out_record_end(struct out_record *r)
{
    /* Only a table holds rows; printing them frees them. */
    if (r->table_rows)
        table_flush(r);
    fk_buf_release(&r->buf);
}

void out_value_split(struct out_value *v, const char *text, char sep, size_t max)
{
    static char *copy;
    static const char **items;
    static size_t cap;
    char seps[2] = {sep, '\0'};
    size_t count = 0;
    free(copy);
    copy = fk_xstrdup(text ? text : "");
    for (char *t = copy; *t && count < max;) {
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            items = fk_xrealloc(items, cap * sizeof *items);
        }
        items[count++] = t;
        t += strcspn(t, seps);
        if (*t)
            *t++ = '\0';
    }
    v->kind = OUT_V_LIST;
    v->list = items;
    v->count = count;
}

/* ---- the fields of an article ---- */

OUT_GETTER(id, struct fk_article, OUT_V_INT, v->number = row->id)
OUT_GETTER(guid, struct fk_article, OUT_V_TEXT, v->text = row->guid)
OUT_GETTER(url, struct fk_article, OUT_V_TEXT, v->text = row->url)
OUT_GETTER(title, struct fk_article, OUT_V_TEXT, v->text = row->title)
OUT_GETTER(author, struct fk_article, OUT_V_TEXT, v->text = row->author)
OUT_GETTER(author_email, struct fk_article, OUT_V_TEXT, v->text = row->author_email)
OUT_GETTER(date, struct fk_article, OUT_V_TIME, v->number = row->date)
OUT_GETTER(published, struct fk_article, OUT_V_TIME, v->number = row->published)
OUT_GETTER(updated, struct fk_article, OUT_V_TIME, v->number = row->updated)
OUT_GETTER(first_seen, struct fk_article, OUT_V_TIME, v->number = row->first_seen)
OUT_GETTER(last_seen, struct fk_article, OUT_V_TIME, v->number = row->last_seen)
OUT_GETTER(tags, struct fk_article, OUT_V_LIST, (v->list = row->tags, v->count = row->ntags))
OUT_GETTER(feed, struct fk_article, OUT_V_TEXT, v->text = row->feed_url)

/* A search hit starts with its article, so the getters above take hits. */
static void get_rank(const void *row, struct out_value *v)
{
    const struct fk_search_hit *hit = row;
    v->kind = OUT_V_REAL;
    v->real = hit->rank;
}

/* The snippet with its marks made [brackets]; the text lives in a buffer
 * kept for the next row. */
static void get_snippet(const void *row, struct out_value *v)
{
    static struct fk_buf snippet = FK_BUF_INIT;
    const struct fk_search_hit *hit = row;
    fk_buf_reset(&snippet);
    out_unmark(&snippet, hit->snippet);
    v->kind = OUT_V_TEXT;
    v->text = snippet.data ? snippet.data : "";
}

#define ARTICLE_FIELDS                                                                             \
    {"id", 5, true, get_id, NULL}, {"guid", 0, false, get_guid, NULL},                             \
        {"url", 0, false, get_url, NULL}, {"title", 0, false, get_title, NULL},                    \
        {"author", 16, false, get_author, NULL},                                                   \
        {"author_email", 0, false, get_author_email, NULL}, {"date", 10, false, get_date, NULL},   \
        {"published", 10, false, get_published, NULL}, {"updated", 10, false, get_updated, NULL},  \
        {"first_seen", 10, false, get_first_seen, NULL},                                           \
        {"last_seen", 10, false, get_last_seen, NULL}, {"tags", 28, false, get_tags, NULL},        \
    {                                                                                              \
        "feed", 0, false, get_feed, NULL                                                           \
    }

const struct out_field out_article_fields[] = {ARTICLE_FIELDS};
const size_t out_article_nfields = sizeof out_article_fields / sizeof out_article_fields[0];
const struct out_field out_hit_fields[] = {
    ARTICLE_FIELDS,
    {"rank", 8, true, get_rank, NULL},
    {"snippet", 0, false, get_snippet, NULL},
};
const size_t out_hit_nfields = sizeof out_hit_fields / sizeof out_hit_fields[0];
