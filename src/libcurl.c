/* libcurl.c - open libcurl on first use; see libcurl.h for why. */
#include "libcurl.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* The library's file name with its ABI version, found by the build. */
#ifndef FK_LIBCURL_SONAME
#define FK_LIBCURL_SONAME "libcurl.so.4"
#endif

#define FK_LIBCURL_SYMBOL(type, name, params) {"curl_" #name, offsetof(struct fk_libcurl, name)},
static const struct {
    const char *symbol;
    size_t offset;
} symbols[] = {FK_LIBCURL_FUNCTIONS(FK_LIBCURL_SYMBOL)};
#undef FK_LIBCURL_SYMBOL

/* Each function pointer is filled from the bytes of a void pointer. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are data-sized");

static struct fk_libcurl api;
static int loaded;

const struct fk_libcurl *fk_libcurl_load(struct fk_error *err)
{
    if (loaded)
        return &api;
    /* Kept open for the life of the process: libcurl's TLS libraries do not
     * all survive being unloaded and loaded again. */
    void *handle = dlopen(FK_LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        fk_error_set(err, FK_ERROR_NETWORK,
                     "cannot load libcurl: %s (install the package libcurl4)",
                     why ? why : FK_LIBCURL_SONAME);
        return NULL;
    }
    struct fk_libcurl found;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *address = dlsym(handle, symbols[i].symbol);
        if (!address) {
            fk_error_set(err, FK_ERROR_NETWORK,
                         "cannot load libcurl: %s has no %s (7.80 or later is needed)",
                         FK_LIBCURL_SONAME, symbols[i].symbol);
            dlclose(handle);
            return NULL;
        }
        /* POSIX makes a data pointer from dlsym() usable as a function
         * pointer; ISO C has no cast for it, so the bytes are copied. */
        memcpy((char *)&found + symbols[i].offset, &address, sizeof address);
    }
    api = found;
    loaded = 1;
    return &api;
}
