/* loopback.h - tests/httpd.py started and stopped by a unit test.
 *
 * The server runs as a child process on 127.0.0.1 with a port the system
 * chooses, which it prints as its first line; it exits when its stdin, a
 * pipe from the test, closes, or after lifetime seconds, so a test that
 * dies leaves nothing behind. Nothing here touches the network. Include it
 * in one test file: its functions are static.
 */
#ifndef FEEDKEEP_TEST_LOOPBACK_H
#define FEEDKEEP_TEST_LOOPBACK_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOOPBACK_SCRIPT FK_TEST_DATA "/../httpd.py"

static pid_t loopback_pid = -1;
static int loopback_stdin = -1;

static void loopback_stop(void)
{
    if (loopback_stdin >= 0) {
        close(loopback_stdin);
        loopback_stdin = -1;
    }
    if (loopback_pid > 0) {
        kill(loopback_pid, SIGTERM);
        waitpid(loopback_pid, NULL, 0);
        loopback_pid = -1;
    }
}

/* Start the server (python3, or $FK_PYTHON) for at most lifetime seconds.
 * Returns its port, or -1 with the reason on stderr (who names the test). */
static int loopback_start(const char *who, int lifetime)
{
    int to_child[2], from_child[2];
    if (pipe(to_child) < 0 || pipe(from_child) < 0) {
        fprintf(stderr, "%s: pipe: %s\n", who, strerror(errno));
        return -1;
    }
    const char *python = getenv("FK_PYTHON");
    if (!python || !*python)
        python = "python3";
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", lifetime);
    loopback_pid = fork();
    if (loopback_pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", who, strerror(errno));
        return -1;
    }
    if (loopback_pid == 0) {
        dup2(to_child[0], STDIN_FILENO);
        dup2(from_child[1], STDOUT_FILENO);
        close(to_child[0]);
        close(to_child[1]);
        close(from_child[0]);
        close(from_child[1]);
        execlp(python, python, LOOPBACK_SCRIPT, "--lifetime", seconds, (char *)NULL);
        fprintf(stderr, "%s: cannot run %s: %s\n", who, python, strerror(errno));
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    loopback_stdin = to_child[1];
    fcntl(loopback_stdin, F_SETFD, FD_CLOEXEC);

    /* The first line is the port; give a slow machine 20 s to get there. */
    char line[32] = "";
    size_t len = 0;
    struct pollfd pfd = {.fd = from_child[0], .events = POLLIN};
    while (len < sizeof line - 1 && !memchr(line, '\n', len) && poll(&pfd, 1, 20000) > 0) {
        ssize_t n = read(from_child[0], line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(from_child[0]);
    int port = atoi(line);
    if (port <= 0) {
        fprintf(stderr, "%s: the test server did not start (got '%s')\n", who, line);
        return -1;
    }
    return port;
}

#endif
