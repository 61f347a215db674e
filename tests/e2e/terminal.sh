#!/bin/sh
# terminal.sh: colours help but are never needed.
#   With colours (tmux-256color, NO_COLOR unset) the frame uses colour pairs;
#   NO_COLOR=1 turns every colour off and the screen still reads the same
#   (attributes like reverse video remain); TERM=vt100 (monochrome, no
#   Home/End/mouse) works and edits; a terminal that cannot move the cursor
#   (TERM=dumb) is refused with a message rather than left blank.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
make_pattern "$orig" 4096
cp "$orig" "$f"

# styled: the screen with its escape sequences.
styled() {
    tm capture-pane -t e2e -p -e
}
# A colour sequence: SGR 30-37, 40-47, 90-97, 100-107, 38;5;N or 48;5;N.
colour_re='\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'

# readable WHAT: the plain text of the frame is all there.
readable() {
    see "$1: the title" '^ mmhex  f\.bin  COPY  4\.0 KiB +\[hex\]$'
    see "$1: a data row" '^00000040 . 40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  @ABCDEFGHIJKLMNO$'
    see_row "$1: the status row" -3 '^0x00000000/0x1000 0\.0%  res '
    see_row "$1: the second status row" -2 '^lock .* adv normal'
}

# ---- colours on: the contrast for the checks below --------------------------------
E2E_TERM=tmux-256color
infocmp "$E2E_TERM" >/dev/null 2>&1 || E2E_TERM=screen-256color
start "$f"
readable "colour"
if styled | grep -Eq -- "$colour_re"; then ok "colour: colour sequences are sent"; else fail "colour: no colour sequences"; fi
keys q
see "colour: q quits" '^\[exited 0\]'

# ---- NO_COLOR -----------------------------------------------------------------------------
E2E_ENV="NO_COLOR=1"
start "$f"
readable "NO_COLOR"
if styled | grep -Eq -- "$colour_re"; then
    fail "NO_COLOR: colour sequences were sent: $(styled | grep -Eo -- "$colour_re" | sort -u | tr '\n' ' ')"
else
    ok "NO_COLOR: no colour sequences"
fi
if styled | head -n 1 | grep -q '\[[0-9;]*7[0-9;]*m'; then ok "NO_COLOR: the title is in reverse video"; else fail "NO_COLOR: the title is not reverse"; fi
keys i
literal ab
keys Escape
see "NO_COLOR: an edit shows" '^00000000 . ab 01 02'
keys q
see_msg "NO_COLOR: q asks about the edit" 'unwritten edits'
keys y
see "NO_COLOR: y quits" '^\[exited 0\]'

# ---- TERM=vt100 -------------------------------------------------------------------------------
E2E_ENV="TERM=vt100"
start "$f"
readable "vt100"
if styled | grep -Eq -- "$colour_re"; then fail "vt100: colour sequences were sent"; else ok "vt100: no colour sequences"; fi
keys Down Right l j
see_off "vt100: arrows and h j k l move" 22
keys Space
see_off "vt100: Space pages (vt100 has no PgDn key)" 162
keys b
see_off "vt100: b pages back" 22
# Keys vt100's description lacks arrive as sequences curses cannot name;
# they must do nothing, not run as Esc and plain keys: Shift-F2
# ("\033[1;2Q") would be Q, quit without asking; Shift-Home ("\033[1;2H")
# would be H, help; PgDn ("\033[6~") would type "[6~" in edit mode.
keys i
literal 01
literal "$(printf '\033[1;2Q')"
literal "$(printf '\033[6~')"
literal "$(printf '\033[1;2H')"
literal 02
keys Escape
see "vt100: unknown key sequences are ignored in edit mode" '^00000020 . 20 21 01 02 24 25'
literal "$(printf '\033[1;2Q')"
literal "$(printf '\033[1;2H')"
literal "$(printf '\033[1;2F')"
keys l
see_off "vt100: ... and in normal mode (then l moves)" 25
see "vt100: the editor is still up, not in help" '^ mmhex  f\.bin  COPY  4\.0 KiB \*'
keys u
see "vt100: undo" '^00000020 . 20 21 22 23 24 25'
keys g
literal 0x10
keys Enter
see_off "vt100: goto works" 10
keys i
literal 5a
keys Tab
literal Z
keys Escape
see "vt100: edits show" '^00000010 . 5a 5a 12'
keys w
see_msg "vt100: w writes" '^wrote [0-9]+ bytes'
expect_eq "vt100: the file has the edits" "$(file_hex "$f" 16 3)" "5a 5a 12"
cp "$orig" "$E2E_DIR/want"
poke "$E2E_DIR/want" 16 5a 5a
expect_eq "vt100: ... and nothing else changed (not the undone bytes, not the unwritten NO_COLOR edit)" \
    "$(cmp "$f" "$E2E_DIR/want" 2>&1 || true)" ""
keys H
see "vt100: H shows help" '^ mmhex help'
keys q
see "vt100: a key returns from help" 'mmhex  f\.bin'
keys q
see "vt100: q quits" '^\[exited 0\]'

# ---- TERM=dumb: refused -------------------------------------------------------------------------
E2E_ENV="TERM=dumb"
start "$f"
see "dumb: refused with a message" '^mmhex: cannot start the terminal \(TERM=dumb\)'
see "dumb: exit 1" '^\[exited 1\]'

finish
