#!/bin/sh
# batch.sh: mmhex -e CMD ... FILE, without a terminal.
#   put + write patch in place (copy mode) or live (shared mode);
#   dump and stat print to stdout in a fixed format;
#   a failing command exits 1 with one line on stderr, and the commands
#   after it do not run;
#   files around the 2^31 and 2^32 boundaries take an edit at their last
#   byte in both writable modes.
# No tmux needed.
. "${srcdir:-.}/tests/e2e/lib.sh"

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
want=$E2E_DIR/want.bin
out=$E2E_DIR/out
err=$E2E_DIR/err
make_pattern "$orig" 65536

# run ARGS...: mmhex ARGS with stdout in $out, stderr in $err; sets rc.
run() {
    "$MMHEX" "$@" >"$out" 2>"$err"
    rc=$?
}

# ---- patching -------------------------------------------------------------------
cp "$orig" "$f"
run -e 'goto 0x10' -e 'put dead' -e write "$f"
expect_eq "goto/put/write exits 0" "$rc" 0
expect_eq "... silently on stderr" "$(cat "$err")" ""
expect_eq "the bytes at 0x10" "$(file_hex "$f" 14 6)" "0e 0f de ad 12 13"
cp "$orig" "$want"
poke "$want" 16 de ad
expect_eq "only those bytes changed" "$(cmp "$f" "$want" && echo same)" same

cp "$orig" "$f"
run -e 'goto 0x20' -e 'put de ad be ef' -e 'goto end-0x10' -e 'puttext hi!' -e write "$f"
cp "$orig" "$want"
poke "$want" 32 de ad be ef
poke "$want" 65520 68 69 21
expect_eq "spaced hex and puttext" "$(cmp "$f" "$want" && echo same)" same

cp "$orig" "$f"
run -e 'goto 0x10' -e 'put dead' "$f"
expect_eq "without write: exit 0" "$rc" 0
expect_match "without write: a warning" "$(cat "$err")" 'edits were not written'
expect_eq "without write: the file is untouched" "$(cmp "$f" "$orig" && echo same)" same

cp "$orig" "$f"
"$MMHEX" -s -e 'goto 0x100' -e 'put 5a' -e 'quit!' "$f" >"$out" 2>"$err"
expect_eq "-s put without write exits 0" "$?" 0
expect_eq "-s: the edit is in the file without a write" "$(file_hex "$f" 256 1)" 5a
run -s -e 'goto 0x100' -e 'put a5' -e 'dump 0xff 3' "$f"
expect_match "-s: the edit is visible to the same run's dump" "$(cat "$out")" '^000000ff: ff a5 01 '
expect_eq "-s: and to another process at once" "$(file_hex "$f" 256 1)" a5
expect_eq "-s: no warning (nothing is unwritten)" "$(cat "$err")" ""

run -r -e 'put 00' "$f"
expect_eq "-r put exits 1" "$rc" 1
expect_match "-r put says read-only" "$(cat "$err")" 'read-only'

# ---- dump and stat ---------------------------------------------------------------
cp "$orig" "$f"
run -e 'dump 0 32' "$f"
expect_eq "dump 0 32: exit 0" "$rc" 0
expect_eq "dump 0 32: two rows in the fixed format" "$(cat "$out")" \
"00000000: 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  ................
00000010: 10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f  ................"
run -e 'dump 0x38 12' "$f"
expect_eq "dump of a partial row" "$(cat "$out")" \
"00000038: 38 39 3a 3b 3c 3d 3e 3f  40 41 42 43              89:;<=>?@ABC"
run -e 'goto 0x41' -e dump "$f"
expect_eq "dump with no arguments: 256 bytes from the cursor" "$(wc -l <"$out" | tr -d ' ')" 16
expect_match "... starting at the cursor" "$(head -n 1 "$out")" '^00000041: 41 42 '
run -e 'dump end-1 1' "$f"
expect_match "dump end-1 1" "$(cat "$out")" '^0000ffff: ff +\.$'

run -e stat "$f"
expect_eq "stat: exit 0" "$rc" 0
s=$(cat "$out")
expect_match "stat: size" "$s" '^size +65536 \(64\.0 KiB\)$'
expect_match "stat: mode" "$s" '^mode +COPY$'
expect_match "stat: cached line" "$s" '^cached +[0-9]+ of 16 pages'
expect_match "stat: dirty line" "$s" '^dirty +[0-9]+ pages$'
expect_match "stat: writeback line" "$s" '^writeback +[0-9]+ pages$'
expect_match "stat: locked line" "$s" '^locked +0 B$'
expect_match "stat: advice line" "$s" '^advice +normal$'
run -s -e 'advise random' -e stat "$f"
expect_match "stat -s: mode" "$(cat "$out")" '^mode +SHARED$'
expect_match "stat: advice follows advise" "$(cat "$out")" '^advice +random$'
cat "$orig" >/dev/null
run -r -e stat "$f"
expect_match "stat after reading the file: all 16 pages cached" "$(cat "$out")" '^cached +16 of 16 pages'

# ---- failures -------------------------------------------------------------------------
# fails WHAT REGEX ARGS...: exit 1, exactly one stderr line matching REGEX.
fails() {
    local what="$1" re="$2"
    shift 2
    run "$@"
    if [ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -Eq -- "$re" "$err"; then
        ok "$what: $(cat "$err")"
    else
        fail "$what: exit $rc, stderr: $(cat "$err")"
    fi
}

cp "$orig" "$f"
fails "goto past the end" '^mmhex: goto: .*past the end' -e 'goto end+5' "$f"
fails "put of bad hex" '^mmhex: put: not a hex digit' -e 'put zz' "$f"
fails "an unknown command" '^mmhex: frob: unknown command: frob' -e frob "$f"
fails "a bad goto expression" '^mmhex: goto 12q: ' -e 'goto 12q' "$f"
fails "put past the end" '^mmhex: put: .*pass the end' -e 'goto end-1' -e 'put dead' "$f"
fails "dump past the end" '^mmhex: dump: .*past the end' -e 'dump end+1' "$f"
fails "prompts need a terminal" '^mmhex: prompt goto: ' -e 'prompt goto' "$f"

fails "a write after a failing put" '^mmhex: put: not a hex digit' -e 'goto 0x10' -e 'put 5a' -e 'put zz' -e write "$f"
expect_eq "... does not happen" "$(cmp "$f" "$orig" && echo same)" same
fails "commands after a failure" 'frob' -e frob -e 'dump 0 16' "$f"
expect_eq "... do not run (no dump output)" "$(cat "$out")" ""
fails "a shared put after a failure" '^mmhex: goto: .*past the end' -s -e 'goto end+1' -e 'put 00' "$f"
expect_eq "... does not happen" "$(cmp "$f" "$orig" && echo same)" same

"$MMHEX" -e 'dump 0 1' >/dev/null 2>"$err"
expect_eq "-e without a FILE is a usage error" "$?" 2
"$MMHEX" -e 'dump 0 1' "$f" "$f" >/dev/null 2>"$err"
expect_eq "-e with two FILEs is a usage error" "$?" 2

# ---- control characters in messages -------------------------------------------------
# File names and arguments echoed to stderr must not reach the terminal raw
# (an ESC sequence could clear the screen, retitle the window, ...).
esc=$(printf '\033')
# escaped WHAT TEXT: stderr holds TEXT, no ESC or BEL byte, exit 1 or 2.
escaped() {
    if [ "$rc" -ne 0 ] && ! grep -q "[$esc$(printf '\007')]" "$err" && grep -qF -- "$2" "$err"; then
        ok "$1: $(cat "$err")"
    else
        fail "$1: exit $rc, stderr: $(od -c "$err" | head -n 4)"
    fi
}
cp "$orig" "$f"
run -e 'goto x' "$E2E_DIR/$(printf 'evil\033[2Jname')"
escaped "an open error escapes the file name" 'evil\x1b[2Jname: No such file'
run -g "$(printf '1\033[2J')" -e stat "$f"
escaped "a -g error escapes the argument" '\x1b[2J'
run -e "$(printf 'frob\033]0;pwned\007')" "$f"
escaped "an unknown command is escaped" 'frob\x1b]0;pwned\x07'
run -e "saveas $E2E_DIR/$(printf 'no\033[31mdir')/x" "$f"
escaped "a saveas error escapes the path" 'no\x1b[31mdir/x'
run -w "$(printf '\033c')" "$f"
escaped "a -w error escapes the argument" "'\\x1bc'"
run "$(printf -- '-\033')" "$f"
escaped "an unknown option is escaped" '\x1b'
run -e "goto $(printf '\302\233')2J" "$f"
escaped "a C1 control (U+009B) is escaped too" '\xc2\x9b2J'
run -e "goto x" "$E2E_DIR/caf$(printf '\303\251')"
escaped "UTF-8 names pass as they are" "caf$(printf '\303\251'): No such file"

# ---- sizes around 2^31 and 2^32 ------------------------------------------------------------
for size in 2147483647 2147483648 2147487744 4294967297; do
    for mode in -c -s; do
        g=$E2E_DIR/big.bin
        rm -f "$g"
        truncate -s "$size" "$g" || skip "cannot make a $size-byte sparse file"
        run "$mode" -e 'goto end-1' -e 'put 5a' -e write "$g"
        expect_eq "$size $mode: exit 0" "$rc:$(cat "$err")" "0:"
        expect_eq "$size $mode: the last byte on disk" "$(file_hex "$g" $((size - 1)) 1)" 5a
        expect_eq "$size $mode: the byte before" "$(file_hex "$g" $((size - 2)) 1)" 00
        expect_eq "$size $mode: the size is unchanged" "$(stat -c %s "$g")" "$size"
        run -r -e 'dump end-1 1' "$g"
        expect_match "$size $mode: dump end-1 1 shows it" "$(cat "$out")" \
            "^0*$(printf '%x' $((size - 1))): 5a +Z$"
    done
done
rm -f "$E2E_DIR/big.bin"

finish
