#!/bin/sh
# strings.sh: printable runs, in batch and on screen.
#   batch: `strings` prints what `strings -a -t d` prints, on a real binary
#     (the mmhex being tested), with -n and -e l, and on a sparse file
#     whose runs sit at the edges of its data; -e b merges both kinds; -f
#     keeps the runs holding a text; OFF LEN limits the range; bad options
#     fail with a message;
#   values: find -v and find -u find integers, floats and UTF-16LE text;
#   on screen: S opens the list (offsets, kinds, text, the count), / filters
#     it, Enter jumps (the status row shows the offset), q leaves.
. "${srcdir:-.}/tests/e2e/lib.sh"

command -v strings >/dev/null 2>&1 || skip "binutils' strings is not installed"

# ---- batch ------------------------------------------------------------------
for opts in "" "-n 8" "-n 1" "-e l"; do
    "$MMHEX" -r -e "strings $opts" "$MMHEX" >"$E2E_DIR/ours"
    # shellcheck disable=SC2086
    strings -a -t d $opts "$MMHEX" >"$E2E_DIR/theirs"
    if cmp -s "$E2E_DIR/ours" "$E2E_DIR/theirs"; then
        ok "strings $opts on mmhex: the lines strings -a -t d $opts prints ($(wc -l <"$E2E_DIR/ours"))"
    else
        fail "strings $opts on mmhex differs from strings -a -t d $opts: $(diff "$E2E_DIR/ours" "$E2E_DIR/theirs" | head -n 4)"
    fi
done

sp=$E2E_DIR/sparse.bin
truncate -s 1G "$sp"
printf 'at the start' | dd of="$sp" conv=notrunc 2>/dev/null
printf 'W\000i\000d\000e\000r' | dd of="$sp" bs=1 seek=$((4096 * 3 - 9)) conv=notrunc 2>/dev/null
printf 'straddling a block' | dd of="$sp" bs=1 seek=$((500000000 - 5)) conv=notrunc 2>/dev/null
printf 'the end' | dd of="$sp" bs=1 seek=$((1073741824 - 7)) conv=notrunc 2>/dev/null
expect_eq "a sparse file: strings' lines" "$("$MMHEX" -r -e strings "$sp")" "$(strings -a -t d "$sp")"
expect_eq "a sparse file, UTF-16LE: strings -e l's lines" "$("$MMHEX" -r -e 'strings -e l' "$sp")" \
    "$(strings -a -t d -e l "$sp")"
expect_eq "-e b: both kinds in offset order" "$("$MMHEX" -r -e 'strings -e b' "$sp")" \
    "$(printf '      0 at the start\n  12279 Wider\n499999995 straddling a block\n1073741817 the end')"
expect_eq "-f keeps the runs holding a text" "$("$MMHEX" -r -e 'strings -e b -f dd' "$sp")" \
    "499999995 straddling a block"
expect_eq "OFF LEN: a range cuts runs at its ends" "$("$MMHEX" -r -e 'strings 3 6' "$sp")" \
    "      3 the st"
"$MMHEX" -r -e 'strings -n 0' "$sp" 2>"$E2E_DIR/err"
expect_eq "-n 0 fails" "$?" 1
expect_match "... saying what -n takes" "$(cat "$E2E_DIR/err")" "-n takes 1 to 4096"
"$MMHEX" -r -e 'strings -e q' "$sp" 2>"$E2E_DIR/err"
expect_match "-e q fails, saying what -e takes" "$(cat "$E2E_DIR/err")" "-e takes a"

# ---- values -------------------------------------------------------------------
v=$E2E_DIR/values.bin
printf 'xx\322\004\000\000\376\377H\000i\000\000\000\000\000\000\000\012\100' >"$v"
expect_eq "find -a -v u32le 1234" "$("$MMHEX" -r -e 'find -a -v u32le 1234' "$v")" 2
expect_eq "find -a -v i16le -2" "$("$MMHEX" -r -e 'find -a -v i16le -2' "$v")" 6
expect_eq "find -a -v f64 3.25" "$("$MMHEX" -r -e 'find -a -v f64 3.25' "$v")" 12
expect_eq "find -a -u Hi" "$("$MMHEX" -r -e 'find -a -u Hi' "$v")" 8
expect_eq "find -a -i -u hI" "$("$MMHEX" -r -e 'find -a -i -u hI' "$v")" 8
"$MMHEX" -r -e 'find -v u8 300' "$v" 2>"$E2E_DIR/err"
expect_match "a value out of range is refused" "$(cat "$E2E_DIR/err")" "300 does not fit uint8"

# ---- on screen -----------------------------------------------------------------
need_tmux
f=$E2E_DIR/f.bin
{
    head -c 5000 /dev/zero
    printf 'first string here\000'
    head -c 3000 /dev/zero
    printf 'S\000e\000c\000o\000n\000d\000\000\000'
    head -c 3000 /dev/zero
    printf 'the needle run\000'
    head -c 3000 /dev/zero
} >"$f"
start "$f"
see "the editor is up" 'COPY'
keys S
see "S opens the strings list with the count" 'strings ASCII >=4.*: 2 strings'
see "... listing the first run: offset, kind, text" '0x0*1388 +a +first string here'
see "... and the second" '0x0*2b18 +a +the needle run'
keys q
see "q leaves the list" 'COPY'
literal ':strings -e b'
keys Enter
see "strings -e b lists both kinds" ': 3 strings'
see "... a UTF-16LE run as u" '0x0*1f52 +u +Second'
keys /
see "/ asks for a filter" 'filter \(empty: all\):'
literal 'needle'
keys Enter
see "the filter narrows the list" "holding 'needle': 1 string"
see "... to the run holding it" '#1 +0x0*2b18 +a +the needle run'
keys Enter
see_off "Enter jumps to the run" 2b18
see "... and says which it was" 'string 1 of 1 at 0x2b18'
finish
