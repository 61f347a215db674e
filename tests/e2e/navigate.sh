#!/bin/sh
# navigate.sh: moving around a 64 KiB file whose byte i is i mod 256, so
# every position has a known look. The first status row shows the cursor
# offset ("0x0000ffff/0x10000"); each move is checked there. Also: the goto
# prompt's forms and its errors, the pane switch, the help screen, resizing
# down to a terminal too small to draw in and back, and the mouse.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/pat.bin
make_pattern "$f" 65536

start 80x24 "$f"
see "the title names the file, mode and size" 'mmhex  pat\.bin  COPY  64\.0 KiB +\[hex\]$'
see "the first row is the pattern" '^00000000 . 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  \.{16}$'
see_off "the cursor starts at 0" 0

# ---- arrows and h j k l (16 bytes per row at 80 columns) ------------------
keys Right;  see_off "Right" 1
keys l;      see_off "l" 2
keys Down;   see_off "Down" 12
keys j;      see_off "j" 22
keys Left;   see_off "Left" 21
keys h;      see_off "h" 20
keys Up;     see_off "Up" 10
keys k;      see_off "k" 0
keys k h Up Left Right
see_off "moves past the start stay at 0 (then Right: 1)" 1
keys Left; see_off "Left" 0

# ---- paging: 20 data rows of 16 bytes = 0x140 -----------------------------
keys PageDown; see_off "PgDn" 140
see_row "PgDn scrolls the view" 2 '^00000140 . 40 41 42'
keys Space;    see_off "Space" 280
keys C-f;      see_off "Ctrl-F" 3c0
keys PageUp;   see_off "PgUp" 280
keys b;        see_off "b" 140
keys C-b;      see_off "Ctrl-B" 0
see_row "paging back shows the top" 2 '^00000000 . 00 01 02'

# ---- row start and end ----------------------------------------------------
keys g; literal 0x25; keys Enter; see_off "goto 0x25" 25
keys Home; see_off "Home" 20
keys End;  see_off "End" 2f
keys 0;    see_off "0" 20
keys '$';  see_off "\$" 2f

# ---- the goto prompt ------------------------------------------------------
keys g
see_msg "g opens the goto prompt" '^goto:'
literal 0x1f00; keys Enter; see_off "goto 0x1f00" 1f00
keys g; literal 4096; keys Enter; see_off "goto 4096" 1000
keys g; literal +4k; keys Enter; see_off "goto +4k" 2000
keys g; literal -16; keys Enter; see_off "goto -16" 1ff0
keys g; literal 50%; keys Enter; see_off "goto 50%" 8000
see "50% shows as a percentage" '^0x00008000/0x10000 50\.0% '
keys g; literal end-0x10; keys Enter; see_off "goto end-0x10" fff0
keys g; literal zz; keys Enter
see_msg "a bad expression is refused with a message" '^goto zz: '
see_off "... and the cursor stays" fff0
keys g; literal 0x10000; keys Enter
see "an offset past the end is refused" 'goto: 0x10000 is past the end \(the last byte is 0xffff\)'
see_off "... and the cursor stays" fff0
keys g; literal 0x10
see_msg "the prompt shows what is typed" '^goto: 0x10$'
keys Escape
see_msg "Esc leaves the prompt" '^$'
see_off "... without moving" fff0

# ---- G, the last byte ------------------------------------------------------
keys g; literal 0; keys Enter; see_off "back to 0" 0
keys G
see_off "G goes to the last byte" ffff
see "the last row is on screen" '^0000fff0 . f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  \.{16}$'
keys Right Down Left
see_off "moves past the end stay (then Left: 0xfffe)" fffe
keys Right; see_off "Right" ffff

# ---- panes --------------------------------------------------------------------
keys Tab
see "Tab switches to the text pane" ' \[text\]$'
keys Tab
see "Tab switches back to the hex pane" ' \[hex\]$'

# ---- help -----------------------------------------------------------------------
keys H
see "H opens the help screen" '^ mmhex help'
see "help lists the movement keys" 'arrows, h j k l +move the cursor'
see "help lists the goto forms" 'g +go to an offset'
see "help lists searching" '/ +search forward'
keys NPage
see "PgDn scrolls the help to quitting" 'q +quit'
keys q
see "any key closes help" 'mmhex  pat\.bin  COPY'
see_off "... and q there does not quit" ffff
keys F1
see "F1 opens the help screen" '^ mmhex help'
keys Escape
see "Esc closes help" 'mmhex  pat\.bin  COPY'
keys H; keys NPage NPage NPage NPage
see "help lists the commands with their usage" 'dump \[OFFSET \[LENGTH\]\] +a hex dump'
keys Escape

# ---- the message history ---------------------------------------------------------
keys :; literal messages; keys Enter
see "messages opens the history" '^ mmhex messages, oldest first'
see "... which holds the refused goto, as an error" '[0-9:]{8} error: goto: 0x10000 is past the end'
keys Escape
see "Esc closes it" 'mmhex  pat\.bin  COPY'

# ---- resizing ------------------------------------------------------------------
resize 120 40
see "120 columns: 24 bytes per row" '^0000ffd8 . d8 d9 da db dc dd de df  e0 e1 e2 e3 e4 e5 e6 e7  e8 e9 ea eb ec ed ee ef  .{24}$'
see "the title reaches the right edge" '^ mmhex .{100,} \[hex\]$'
expect_eq "40 rows are used (status on row 38)" "$(screen | grep -n '^0x0000ffff/' | cut -d: -f1)" 38
resize 40 12
see "40 columns: 4 bytes per row" '^0000fffc . fc fd fe ff  \.\.\.\.$'
see_off "the cursor survives resizing" ffff
resize 20 4
see "a tiny terminal gets a message" 'terminal too small'
keys Left
resize 80 24
see "back at 80x24 the frame returns" 'mmhex  pat\.bin  COPY  64\.0 KiB +\[hex\]$'
see_off "keys pressed while too small still worked" fffe
see "16 bytes per row again" '^0000fff0 . f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff'

# ---- mouse ------------------------------------------------------------------------
keys g; literal 0; keys Enter; see_off "back to 0" 0
# Row 3 of the screen is offset 0x20; hex column of byte j is 11 + 3j + j/8.
click 26 3
see_off "a click on a hex byte moves the cursor there" 25
see "... in the hex pane" ' \[hex\]$'
# The text pane starts at column 61.
click 62 2
see_off "a click in the text pane moves the cursor there" 11
see "... and switches to the text pane" ' \[text\]$'
click 11 6
see_off "a click at the first byte of a row" 50
click 5 6
keys Right
see_off "a click on the offset column does nothing (then Right: 0x51)" 51
wheel down 40 10
see_row "the wheel scrolls down three rows" 2 '^00000030 . 30 31'
see_off "... and the cursor stays on screen where it was" 51
wheel down 40 10
wheel down 40 10
see_row "more wheel scrolls further" 2 '^00000090 . 90 91'
see_off "the cursor is pulled onto the screen, same column" 91
wheel up 40 10
see_row "the wheel scrolls up" 2 '^00000060 . 60 61'

keys q
see "q quits (nothing edited)" '^\[exited 0\]'
finish
