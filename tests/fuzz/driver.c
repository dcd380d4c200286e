/* driver.c - a main for the harnesses in builds without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named on the command line, read
 * into a buffer of its exact size (as libFuzzer does), and on each file of
 * each directory named. A crash or a broken invariant aborts; otherwise the
 * exit status is 0, or 1 when a file cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    if (!data)
        abort();
    size_t n;
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
            if (!data)
                abort();
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "cannot read '%s'\n", path);
        free(data);
        return -1;
    }
    /* exactly len bytes, so that ASan sees a read past the end */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    printf("ok %s\n", path);
    return 0;
}

static int run_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        size_t size = strlen(path) + 1 + strlen(entry->d_name) + 1;
        char *file = malloc(size);
        if (!file)
            abort();
        snprintf(file, size, "%s/%s", path, entry->d_name);
        if (run_file(file) < 0)
            rc = -1;
        free(file);
    }
    closedir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int one =
            stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
        if (one < 0)
            rc = 1;
    }
    return rc;
}
