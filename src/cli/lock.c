/* lock.c - one fetch at a time per archive.
 *
 * SQLite already serialises writers, but two fetch runs would fetch every
 * feed twice and interleave their fetch logs, so a run holds an exclusive
 * flock(2) on a file next to the archive for its whole length. The kernel
 * drops the lock when the process ends, however it ends (SIGKILL too), so a
 * crashed run never leaves a stale lock behind. The file itself is never
 * deleted: removing a lock file while another process waits on it would
 * let a third one lock a new file of the same name.
 *
 * The lock belongs to the archive, not to the name it was given by: the
 * lock file is named after the archive's resolved path (realpath(3)), so
 * "a.db", "./a.db", a symbolic link to it and a path through a linked
 * directory all share one lock. That is how SQLite itself names an
 * archive's write-ahead log and shared-memory file: the lock sits beside
 * them. A lock on the archive file itself would cover hard links too, but
 * it means a second descriptor of that file in this process, and closing
 * any descriptor of a file drops every POSIX lock the process holds on it,
 * SQLite's included (SQLite's documentation warns against exactly this).
 * Hard links are not worth that risk: two names of one file have two
 * write-ahead logs, which SQLite cannot use safely at once anyway.
 */
/* flock is not POSIX: ask glibc for it besides _XOPEN_SOURCE. */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* How often a waiting run tries the lock again. */
#define RETRY_MS 50

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_lock_archive(const char *archive, long wait_ms, int *fd)
{
    struct fk_buf path = FK_BUF_INIT;
    int code = EXIT_IO;
    long long deadline = now_ms() + (wait_ms > 0 ? wait_ms : 0);

    int lock_fd = -1;
    *fd = -1;
    char *resolved = realpath(archive, NULL);
    if (!resolved) {
        msg_error("cannot lock '%s': cannot resolve its path: %s", archive, strerror(errno));
        goto out;
    }
    fk_buf_printf(&path, "%s.lock", resolved);
    free(resolved);
    lock_fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock_fd < 0) {
        msg_error("cannot open lock file '%s': %s", path.data, strerror(errno));
        goto out;
    }
    for (;;) {
        if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            msg_error("cannot lock '%s': %s", path.data, strerror(errno));
            goto out;
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            if (wait_ms > 0)
                msg_error("another fetch is still running on '%s' after waiting %.1f s "
                          "(it holds '%s')",
                          archive, wait_ms / 1000.0, path.data);
            else
                msg_error("another fetch is running on '%s' (it holds '%s'); "
                          "use --wait SECONDS to wait for it",
                          archive, path.data);
            code = EXIT_LOCKED;
            goto out;
        }
        long long pause = left < RETRY_MS ? left : RETRY_MS;
        struct timespec ts = {(time_t)(pause / 1000), (long)(pause % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    *fd = lock_fd;
    lock_fd = -1;
    code = EXIT_OK;
out:
    if (lock_fd >= 0)
        close(lock_fd);
    fk_buf_release(&path);
    return code;
}
