#!/bin/sh
# regex.sh: regular expressions (find -r): found with Ctrl-R at the /
# prompt, n repeats it, a malformed one gets PCRE2's message and offset, one
# that may match empty is refused, batch find -a -r, and a match across a
# data/hole boundary of a sparse file.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
make_pattern "$f" 65536
printf 'id=1234;' | dd of="$f" bs=1 seek=$((0x2000)) conv=notrunc 2>/dev/null
printf 'id=987;' | dd of="$f" bs=1 seek=$((0x5000)) conv=notrunc 2>/dev/null

start "$f"
see "the editor is up" 'mmhex  f\.bin'
keys /
see_msg "/ opens the search prompt" '^/ hex:'
keys C-r
see_msg "Ctrl-R makes it a regex prompt" '^/ regex:'
literal 'id=[0-9]+[;]'
keys Enter
see_off "a regex is found" 2000
see_msg "... and said, with the expression" 'found /id=\[0-9\]\+\[;\]/ at 0x2000'
keys n
see_off "n repeats the regex" 5000
keys /
keys C-r
literal '(abc'
keys Enter
see_msg "a malformed regex: PCRE2's message and offset" '^find -r: missing closing parenthesis at offset 4'
see_off "... and the cursor stays" 5000
keys :
literal 'find -r x*'
keys Enter
see_msg "a regex that may match empty is refused" '^find -r: the expression may match an empty string'
stop

# Batch: every match, one per line.
out=$("$MMHEX" -r -e 'find -a -r id=[0-9]+;' "$f")
expect_eq "find -a -r lists every match" "$(echo $out)" "8192 20480"
out=$("$MMHEX" -r -e 'find -a -r -i ID=98' "$f")
expect_eq "find -r -i ignores case" "$(echo $out)" "20480"
"$MMHEX" -r -e 'find -r (?<=a)b' "$f" >/dev/null 2>"$E2E_DIR/err"
expect_eq "lookbehind is refused (exit 1)" "$?" 1
expect_match "... saying why" "$(cat "$E2E_DIR/err")" "lookbehind"

# A sparse file: data ends in 'END', a hole follows; the regex spans both.
s=$E2E_DIR/sparse.bin
truncate -s 1G "$s"
printf 'xxEND' | dd of="$s" bs=1 seek=$((0x10000000 - 5)) conv=notrunc 2>/dev/null
out=$("$MMHEX" -r -e 'find -a -r END\x00{16}' "$s")
expect_eq "a regex across a data/hole boundary is found" "$(echo $out)" "$((0x10000000 - 3))"
printf 'Q' | dd of="$s" bs=1 seek=$((0x20000000)) conv=notrunc 2>/dev/null
out=$("$MMHEX" -r -e 'find -a -r \x00{4}Q' "$s")
expect_eq "... and one from a hole into data" "$(echo $out)" "$((0x20000000 - 4))"

finish
