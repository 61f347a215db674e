#!/bin/sh
# paging.sh: the paging actions from the keyboard and the command line.
#   L locks the visible pages (glyph L, "lock" in the status) and unlocks;
#   a cycles the advice shown in the status (normal, sequential, random);
#   : runs commands by name: flush, stat and dump (their report shows on a
#   page of its own), advise, lock all (which asks first), unlock all;
#   in shared mode an edit makes its page dirty (D) until f flushes it.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
make_pattern "$f" 65536
sync "$f" 2>/dev/null || sync

# cmd TEXT: type a command line after ':' and run it.
cmd() {
    keys :
    literal "$1"
    keys Enter
}

start "$f"
see "the editor is up" 'mmhex  f\.bin  COPY  64\.0 KiB'
see_row "nothing is locked at first" -2 '^lock 0 B/'

# ---- L --------------------------------------------------------------------------
keys L
see_msg "L locks the visible pages" '^locked; 4\.0 KiB locked in all'
see "the page glyphs show L" '^00000000 L 00 01 02'
expect_eq "every visible row's glyph is L" \
    "$(screen | grep -E '^[0-9a-f]{8} ' | cut -c10 | sort -u | tr -d '\n')" L
see_row "the status counts the locked bytes" -2 '^lock 4\.0 KiB/'
keys L
see_msg "L again unlocks" '^unlocked; 0 B locked in all'
see "the glyphs lose the L" '^00000000 [^L] 00 01 02'
see_row "the status shows nothing locked" -2 '^lock 0 B/'

# ---- a: advice --------------------------------------------------------------------
see_row "advice starts normal" -2 ' adv normal '
keys a
see_row "a: sequential" -2 ' adv sequential '
see_msg "... with a message" '^advice: sequential'
keys a
see_row "a: random" -2 ' adv random '
keys a
see_row "a: normal again" -2 ' adv normal '
cmd "advise random"
see_row ":advise random" -2 ' adv random '
cmd "advise sideways"
see_msg ":advise with a bad word is refused" '^advise: say normal, sequential or random'
see_row "... and changes nothing" -2 ' adv random '

# ---- the command line ----------------------------------------------------------------
keys :
see_msg ": opens the command line" '^:$'
literal flush
keys Enter
see_msg ":flush flushes" '^flushed [0-9]+ dirty pages in '
cmd "stat"
see "stat shows its report" '^ mmhex output'
see "... the size" '^size +65536 \(64\.0 KiB\)'
see "... the mode" '^mode +COPY'
see "... the cached pages" '^cached +16 of 16 pages'
see "... the dirty pages" '^dirty +[0-9]+ pages'
see "... the advice" '^advice +random'
keys x
see "any key returns from the report" 'mmhex  f\.bin  COPY'
cmd "dump 0x20 16"
see "dump shows its hex dump" '^00000020: 20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f   !"#\$%&'"'"'\(\)\*\+,-\./$'
keys Escape
see "Esc returns from the report" 'mmhex  f\.bin  COPY'
cmd "frobnicate"
see_msg "an unknown command says so" '^unknown command: frobnicate'

# ---- lock all asks first ---------------------------------------------------------------
cmd "lock all"
see_msg "lock all asks first" '^lock the whole file \(64\.0 KiB\) into memory\? \(y/n\)'
keys n
see_msg "n cancels" '^cancelled'
see_row "... nothing locked" -2 '^lock 0 B/'
cmd "lock all"
see_msg "asked again" 'lock the whole file'
keys y
see_msg "y locks the whole file" '^locked; 64\.0 KiB locked in all'
see_row "the status shows 64 KiB locked" -2 '^lock 64\.0 KiB/'
keys G
see "the last page is locked too" '^0000fff0 L '
cmd "unlock all"
see_msg ":unlock all unlocks" '^unlocked; 0 B locked in all'
see_row "... and the status agrees" -2 '^lock 0 B/'
keys q
see "q quits" '^\[exited 0\]'

# ---- shared mode: an edit dirties its page; f cleans it -----------------------------------
sync "$f" 2>/dev/null || sync
start -s "$f"
see "shared mode" 'mmhex  f\.bin  SHARED'
see "the first page is clean" '^00000000 R '
keys i
literal ff
keys Escape
see "the edited page's glyph is D (dirty)" '^00000000 D ff 01 02'
see_row "the view counts a dirty page" -3 ' dirty [1-9][0-9]* wb '
keys f
see_msg "f flushes the dirty page" '^flushed [1-9][0-9]* dirty pages'
see "the page is clean again" '^00000000 [RW] ff 01 02'
see_row "the view counts no dirty page" -3 ' dirty 0 wb '
keys q
see "q quits" '^\[exited 0\]'

finish
