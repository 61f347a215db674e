#!/bin/sh
# install.sh: `make install` puts the program, the man page and the bash
# completion where they are found, and the completion completes: options,
# -e commands (from the binary's own --help, so they never go stale) and
# paths. Installs into a scratch DESTDIR, never onto the system.
. "${srcdir:-.}/tests/e2e/lib.sh"

dest=$E2E_DIR/dest
top=$(cd "$(dirname "$MMHEX")/.." && pwd)
if ! make -s -C "$top" install DESTDIR="$dest" >"$E2E_DIR/install.log" 2>&1; then
    fail "make install DESTDIR=... failed: $(tail -n 5 "$E2E_DIR/install.log")"
    finish
fi
bin=$(find "$dest" -path '*/bin/mmhex' -type f | head -n 1)
man=$(find "$dest" -path '*/man1/mmhex.1' -type f | head -n 1)
comp=$(find "$dest" -path '*/bash-completion/completions/mmhex' -type f | head -n 1)
expect_match "the program is installed" "$bin" '/bin/mmhex$'
expect_match "the man page is installed" "$man" '/man/man1/mmhex\.1$'
expect_match "the bash completion is installed" "$comp" '/share/bash-completion/completions/mmhex$'

if ! command -v bash >/dev/null 2>&1; then
    echo "skip: no bash: the completion itself is not exercised"
    finish
fi
# complete WORDS...: what the completion offers for the last word.
complete_words() {
    PATH="$(dirname "$bin"):$PATH" bash -c '
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _mmhex
        printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
expect_match "--sh completes to --shared" "$(complete_words mmhex --sh)" '^--shared$'
expect_match "-e offers the commands" "$(complete_words mmhex -e sav)" 'saveas!'
touch "$E2E_DIR/disk-image.bin"
expect_match "a path completes" "$(complete_words mmhex "$E2E_DIR/disk-im")" 'disk-image\.bin$'
finish
