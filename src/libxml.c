/* libxml.c - open libxml2 on first use; see libxml.h for why. */
#define FK_LIBXML_LOADER
#include "libxml.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library's file name with its ABI version, found by the build. */
#ifndef FK_LIBXML_SONAME
#define FK_LIBXML_SONAME "libxml2.so.2"
#endif

#define FK_LIBXML_SYMBOL(name) {#name, offsetof(struct fk_libxml, name)},
static const struct {
    const char *symbol;
    size_t offset;
} symbols[] = {FK_LIBXML_FUNCTIONS(FK_LIBXML_SYMBOL)
               /* the variables */
               FK_LIBXML_SYMBOL(xmlFree) FK_LIBXML_SYMBOL(xmlParserMaxDepth)};
#undef FK_LIBXML_SYMBOL

/* Each pointer is filled from the bytes of a void pointer. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are data-sized");
_Static_assert(sizeof symbols / sizeof symbols[0] == sizeof(struct fk_libxml) / sizeof(void *),
               "every member of the table has its symbol");

static struct fk_libxml api;
const struct fk_libxml *fk_libxml_loaded;

static _Noreturn void broken(const char *why)
{
    fprintf(stderr, "feedkeep: cannot load libxml2: %s (install the package libxml2)\n", why);
    exit(3);
}

const struct fk_libxml *fk_libxml_load(void)
{
    if (fk_libxml_loaded)
        return fk_libxml_loaded;
    /* Kept open for the life of the process, as a linked library would be. */
    void *handle = dlopen(FK_LIBXML_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        broken(why ? why : FK_LIBXML_SONAME);
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *address = dlsym(handle, symbols[i].symbol);
        if (!address) {
            char why[160];
            snprintf(why, sizeof why, "%s has no %s", FK_LIBXML_SONAME, symbols[i].symbol);
            broken(why);
        }
        /* POSIX makes a data pointer from dlsym() usable as a function
         * pointer; ISO C has no cast for it, so the bytes are copied. */
        memcpy((char *)&api + symbols[i].offset, &address, sizeof address);
    }
    fk_libxml_loaded = &api;
    return fk_libxml_loaded;
}
