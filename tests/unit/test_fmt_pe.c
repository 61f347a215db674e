/*
 * test_fmt_pe: the PE/COFF decoder (fmt-pe.c). Placeholder: the tests
 * against objdump follow in the next commit.
 */
#include "config.h"

int main(void)
{
    return 0;
}
