/*
 * search-regex: STUB (see search-regex.h). The REGEX helper replaces these
 * bodies with PCRE2; until then nothing compiles and nothing matches.
 */
#include "config.h"

#include "search-regex.h"

#include <errno.h>
#include <stdio.h>

int rx_compile(const char *src, bool icase, Regex **out, char *err, size_t errlen)
{
    (void)src, (void)icase;
    *out = NULL;
    if (err && errlen)
        snprintf(err, errlen, "regular expressions are not built in");
    return -ENOSYS;
}

void rx_free(Regex *rx)
{
    (void)rx;
}

int rx_scan(const Regex *rx, const uint8_t *buf, size_t nstart, size_t navail, bool end,
            bool backward, size_t *at, size_t *len)
{
    (void)rx, (void)buf, (void)nstart, (void)navail, (void)end, (void)backward;
    *at = 0;
    *len = 0;
    return 0;
}

size_t rx_overlap(const Regex *rx)
{
    (void)rx;
    return 0;
}

bool rx_matches_zeros(const Regex *rx)
{
    (void)rx;
    return false;
}
