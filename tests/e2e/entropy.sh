#!/bin/sh
# entropy.sh: the entropy map, the residency map's twin.
#   batch: `entropy N` prints a line per bucket with its class, for a file
#     made of text (seq), a hole (truncate) and random bytes (/dev/urandom),
#     and the bits per byte python3 computes for the same bytes;
#   on screen: m opens the residency map, Tab switches to the entropy map
#     (its title and legend), the buckets show T, Z and H where the text,
#     the hole and the random bytes are, upper case once exact; the message
#     row describes the selected bucket; Enter jumps there; the map comes
#     back computed (cached) after leaving it.
. "${srcdir:-.}/tests/e2e/lib.sh"

f=$E2E_DIR/mixed.bin
seq 1 1000000 | head -c 1048576 >"$f"
truncate -s 2M "$f"
head -c 1048576 /dev/urandom >>"$f"

# ---- batch ------------------------------------------------------------------
out=$("$MMHEX" -r -e 'entropy 3' "$f")
expect_match "bucket 1 is text" "$out" "^0x00000000-0x000fffff  [0-9.]+  text"
expect_match "bucket 2 is zeros" "$out" "0x00100000-0x001fffff  0.00  zeros"
expect_match "bucket 3 is high-entropy" "$out" "0x00200000-0x002fffff  (7.9[0-9]|8.00)  high-entropy"
expect_match "the summary counts bytes per class and reads only data" "$out" \
    "zeros 1048576  text 1048576  binary 0  high-entropy 1048576  \(bytes; 2097152 of data read"
if command -v python3 >/dev/null 2>&1; then
    want=$(python3 -c 'import sys,math,collections
b=open(sys.argv[1],"rb").read(1048576);c=collections.Counter(b);n=len(b)
print("%.2f"%-sum(v/n*math.log2(v/n) for v in c.values()))' "$f")
    expect_match "the text bucket's bits are python3's" "$out" "^0x00000000-0x000fffff  $want  text"
else
    echo "note: python3 is not installed: bits not compared"
fi
"$MMHEX" -r -e 'entropy 0' "$f" >/dev/null 2>"$E2E_DIR/err"
expect_eq "entropy 0 fails" "$?" 1

# ---- on screen -----------------------------------------------------------------
need_tmux
start -r "$f"
see "the editor is up" 'READ-ONLY'
keys m
see "m opens the residency map" 'mmhex residency map'
keys Tab
see "Tab switches to the entropy map" 'mmhex entropy map  mixed.bin'
see "its legend" 'Z zeros  T text  B binary  H high-entropy'
see "it becomes exact" '100\.0% exact'
# 768 buckets of 4 KiB, 80 a row: 256 text, 256 zeros, 256 random.
expect_match "the text buckets" "$(row 2)" '^TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT'
expect_match "the hole's buckets" "$(row 5)" 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'
expect_match "the random buckets" "$(row 9)" 'HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH'
expect_match "the totals, and only the data read" "$(row -2)" 'zeros 1\.0M  text 1\.0M  binary 0B  high 1\.0M  read 2\.0M'
keys End
see "the message row describes the selected bucket" \
    'bucket 768/768  0x2ff000-0x300000  [0-9.]+ bits/B  high-entropy exact'
keys Enter
see_off "Enter jumps to the bucket" 2ff000
keys m
see "the map again" 'mmhex residency map'
keys Tab
see "the entropy map is kept: exact at once" '100\.0% exact'
keys Tab
see "Tab goes back to residency" 'mmhex residency map'
keys Escape
see "Esc leaves" 'READ-ONLY'
keys q
wait_exit
finish
