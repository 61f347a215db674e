/*
 * main: command-line entry point.
 *
 * For now mmhex opens the file through the mapping core and prints what it
 * found (size, mode, page-cache residency); the interactive editor arrives
 * on top of the same core. Only main and the UI may print or exit.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "resid.h"

static const char *mode_name(MmhMode m)
{
    switch (m) {
    case MMH_MODE_READONLY: return "READ-ONLY";
    case MMH_MODE_SHARED: return "SHARED";
    case MMH_MODE_COPY: return "COPY";
    default: return "?";
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mmhex [-r|-c|-s] FILE\n"
               "  -r, --readonly  map read-only\n"
               "  -c, --copy      copy-on-write: edits reach the file only when written (default)\n"
               "  -s, --shared    shared: edits are live in the file\n"
               "  -h, --help      this help\n"
               "  -V, --version   print the version\n");
}

static int show(const char *path, MmhMode mode)
{
    MapOpts o = {.mode = mode};
    Map *m;
    int rc = map_open(&m, path, &o);
    if (rc < 0) {
        fprintf(stderr, "mmhex: %s: %s\n", path, map_strerror(rc));
        return 1;
    }
    printf("%s: %" PRIu64 " bytes, %s\n", map_path(m), map_size(m), mode_name(map_mode(m)));
    if (map_notice(m))
        printf("%s\n", map_notice(m));
    Resid *r;
    if (resid_open(&r, m) == 0) {
        ResidCount c;
        if (!resid_known(r))
            printf("residency: n/a (%s)\n", resid_why_unknown(r));
        else if (resid_count(r, 0, 0, &c) == 0)
            printf("cached %" PRIu64 "/%" PRIu64 " pages, dirty %" PRId64 ", writeback %" PRId64 "\n",
                   c.cached, c.pages, c.dirty, c.writeback);
        resid_close(r);
    }
    map_close(m);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"readonly", no_argument, NULL, 'r'}, {"copy", no_argument, NULL, 'c'},
        {"shared", no_argument, NULL, 's'},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},  {NULL, 0, NULL, 0},
    };
    MmhMode mode = MMH_MODE_AUTO;
    int c;
    while ((c = getopt_long(argc, argv, "rcshV", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': mode = MMH_MODE_READONLY; break;
        case 'c': mode = MMH_MODE_COPY; break;
        case 's': mode = MMH_MODE_SHARED; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mmhex %s\n", PACKAGE_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mmhex: expected one FILE (try --help)\n");
        return 2;
    }
    return show(argv[optind], mode);
}
