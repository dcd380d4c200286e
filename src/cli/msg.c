/* msg.c - diagnostics: every message feedkeep prints on stderr comes from
 * here, in one form: "feedkeep: <what>: <why>", lower case, no period, and
 * without control characters or escape sequences (out_add_safe). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

/* A progress line is on stderr's terminal and must go before anything else
 * is written there. */
static bool progress_shown;

static volatile sig_atomic_t file_size_exceeded;

void msg_file_size_exceeded(void)
{
    file_size_exceeded = 1;
}

void msg_progress_clear(void)
{
    if (!progress_shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    progress_shown = false;
}

/* Append the message fmt makes to line, through the terminal-safety
 * filter: every diagnostic passes it here, once, since the arguments
 * quote feeds, servers and command lines and no caller has to remember
 * that. */
static void add_message(struct fk_buf *line, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void add_message(struct fk_buf *line, const char *fmt, va_list ap)
{
    struct fk_buf text = FK_BUF_INIT;
    fk_buf_vprintf(&text, fmt, ap);
    out_add_safe(line, text.data, false);
    fk_buf_release(&text);
}

void msg_progress(const char *fmt, ...)
{
    if (!isatty(STDERR_FILENO))
        return;
    struct fk_buf line = FK_BUF_INIT;
    fk_buf_adds(&line, "\r\033[Kfeedkeep: ");
    va_list ap;
    va_start(ap, fmt);
    add_message(&line, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fwrite(line.data, 1, line.len, stderr);
    fflush(stderr);
    fk_buf_release(&line);
    progress_shown = true;
}

void msg_stage(const char *stage, int64_t done, void *ctx)
{
    if (done)
        msg_progress("%s: %s: %lld rows", (const char *)ctx, stage, (long long)done);
    else
        msg_progress("%s: %s", (const char *)ctx, stage);
}

static void vmsg(const char *lead, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Print "<lead><fmt's message>\n" on stderr. */
static void vmsg(const char *lead, const char *fmt, va_list ap)
{
    struct fk_buf line = FK_BUF_INIT;
    fk_buf_adds(&line, lead);
    add_message(&line, fmt, ap);
    fk_buf_addc(&line, '\n');
    msg_progress_clear();
    fflush(stdout);
    fwrite(line.data, 1, line.len, stderr);
    fk_buf_release(&line);
}

/* The messages differ in their lead only. */
#define MSG_FUNCTION(name, lead)                                                                   \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vmsg(lead, fmt, ap);                                                                       \
        va_end(ap);                                                                                \
    }

MSG_FUNCTION(msg_error, "feedkeep: ")
MSG_FUNCTION(msg_warn, "feedkeep: warning: ")
MSG_FUNCTION(msg_note, "feedkeep: ")
MSG_FUNCTION(msg_detail, "  ")

/* Once per feed and run: the items are filed as they should be, so this is
 * no warning, and --quiet (a cron job) hears nothing of it. The aliases
 * stay in the archive (feedkeep dedup --explain). */
void msg_guid_changes(const char *feed, long matched, int64_t first_id, bool quiet)
{
    if (matched <= 0 || quiet)
        return;
    if (matched == 1)
        msg_note("'%s': 1 item changed its guid; filed as the archived article it matches "
                 "(see 'feedkeep dedup --explain %lld')",
                 feed, (long long)first_id);
    else
        msg_note("'%s': %ld items changed their guid; filed as the archived articles they "
                 "match (see 'feedkeep dedup --explain %lld')",
                 feed, matched, (long long)first_id);
}

int msg_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("feedkeep: ", fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, "Try 'feedkeep %s --help' for more information.\n", command);
    else
        fputs("Try 'feedkeep --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

int msg_fk_error(const struct fk_error *err)
{
    /* SQLite reports a write refused past the limit as "disk I/O error". */
    msg_error("%s%s", err->message[0] ? err->message : "unknown error",
              err->kind == FK_ERROR_DB && file_size_exceeded ? " (file size limit exceeded)" : "");
    switch (err->kind) {
    case FK_ERROR_USAGE:
        return EXIT_USAGE;
    case FK_ERROR_DB:
        return EXIT_IO;
    case FK_ERROR_BUSY:
        return EXIT_LOCKED;
    default:
        return EXIT_FAILED;
    }
}
