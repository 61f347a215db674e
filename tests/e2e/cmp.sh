#!/bin/sh
# cmp.sh: mmhex --cmp A B beside cmp(1), without a terminal.
#   exit codes 0 same, 1 different, 2 trouble, as cmp's;
#   OFFSET LENGTH lines: the first offset is cmp's first byte less one;
#   -l prints what cmp -l prints, byte for byte, on random small files of
#   random sizes (prefixes, empty files, runs and single bytes changed);
#   the tail of the longer file is one range; --shift lines up a file that
#   gained a header; a sparse 1 GiB pair is compared without reading holes.
# No tmux needed.
. "${srcdir:-.}/tests/e2e/lib.sh"

a=$E2E_DIR/a
b=$E2E_DIR/b
out=$E2E_DIR/out
err=$E2E_DIR/err
want=$E2E_DIR/want
wanterr=$E2E_DIR/wanterr

# mm ARGS...: mmhex ARGS, stdout in $out, stderr in $err; sets rc.
mm() {
    "$MMHEX" "$@" >"$out" 2>"$err"
    rc=$?
}

# ref ARGS...: cmp ARGS, stdout in $want, stderr in $wanterr; sets wrc.
ref() {
    cmp "$@" >"$want" 2>"$wanterr"
    wrc=$?
}

make_pattern "$a" 5000
cp "$a" "$b"
mm --cmp "$a" "$b"
expect_eq "same files: exit 0" "$rc" 0
expect_eq "... and nothing printed" "$(cat "$out" "$err")" ""

poke "$b" 100 00 00 00
poke "$b" 4000 ff
mm --cmp "$a" "$b"
expect_eq "different: exit 1" "$rc" 1
expect_eq "the ranges, OFFSET LENGTH" "$(cat "$out")" "$(printf '100 3\n4000 1')"
ref "$a" "$b"
first=$(sed -n 's/.*differ: byte \([0-9]*\),.*/\1/p' "$want")
expect_eq "the first offset is cmp's first byte less one" "$(head -n 1 "$out" | cut -d' ' -f1)" $((first - 1))

mm --cmp -l "$a" "$b"
ref -l "$a" "$b"
expect_eq "-l: exit as cmp -l" "$rc" "$wrc"
expect_eq "-l: the same lines as cmp -l" "$(cmp "$out" "$want" && echo same)" same
mm --cmp-l "$a" "$b"
expect_eq "--cmp-l is --cmp -l" "$(cmp "$out" "$want" && echo same)" same

# Sizes differ: the tail is one range; -l says EOF on stderr as cmp does.
head -c 4500 "$a" >"$b"
mm --cmp "$a" "$b"
expect_eq "a shorter B: exit 1" "$rc" 1
expect_eq "the tail is one range" "$(cat "$out")" "4500 500"
mm --cmp -l "$a" "$b"
ref -l "$a" "$b"
expect_eq "-l, a prefix: exit as cmp" "$rc" "$wrc"
expect_eq "-l, a prefix: stdout as cmp's" "$(cmp "$out" "$want" && echo same)" same
expect_eq "-l, a prefix: the EOF message as cmp's" "$(sed 's/^mmhex: //' "$err")" "$(sed 's/^cmp: //' "$wanterr")"
: >"$b"
mm --cmp -l "$b" "$a"
ref -l "$b" "$a"
expect_eq "-l, an empty file: exit as cmp" "$rc" "$wrc"
expect_eq "-l, an empty file: the message as cmp's" "$(sed 's/^mmhex: //' "$err")" "$(sed 's/^cmp: //' "$wanterr")"

# Random pairs: -l output and exit codes identical to cmp -l's.
seed=1
same=0
trials=40
i=0
while [ $i -lt $trials ]; do
    i=$((i + 1))
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    na=$((seed % 3000))
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    nb=$(( seed % 4 == 0 ? seed % 3000 : na ))
    head -c "$na" /dev/urandom >"$a"
    if [ "$nb" -le "$na" ]; then head -c "$nb" "$a" >"$b"; else { cat "$a"; head -c $((nb - na)) /dev/urandom; } >"$b"; fi
    k=$((seed % 7))
    while [ $k -gt 0 ] && [ "$nb" -gt 0 ]; do
        seed=$(((seed * 1103515245 + 12345) % 2147483648))
        poke "$b" $((seed % nb)) $(printf '%02x' $((seed % 256)))
        k=$((k - 1))
    done
    mm --cmp -l "$a" "$b"
    ref -l "$a" "$b"
    if [ "$rc" = "$wrc" ] && cmp -s "$out" "$want" &&
        [ "$(sed 's/^mmhex: //' "$err")" = "$(sed 's/^cmp: //' "$wanterr")" ]; then
        same=$((same + 1))
    else
        echo "differs from cmp -l: sizes $na $nb, exit $rc vs $wrc"
        diff "$out" "$want" | head -5
    fi
done
expect_eq "random pairs: cmp -l's output and exit code every time" "$same" "$trials"

# --shift: B is A with a 512-byte header.
make_pattern "$a" 5000
{ head -c 512 /dev/zero; cat "$a"; } >"$b"
mm --cmp --shift 512 "$a" "$b"
expect_eq "--shift 512 lines B up with A: exit 0" "$rc" 0
mm --cmp --shift=-512 "$b" "$a"
expect_eq "--shift=-512 the other way: exit 0" "$rc" 0
mm --cmp --shift 0x1ff "$a" "$b"
expect_eq "a shift one short: exit 1" "$rc" 1

# Trouble: exit 2 and a message, like cmp.
mm --cmp "$a" "$E2E_DIR/missing"
ref "$a" "$E2E_DIR/missing"
expect_eq "a missing file: exit 2 as cmp" "$rc" "$wrc"
expect_match "... with a message" "$(cat "$err")" 'missing'
mm --cmp "$a"
expect_eq "one file: exit 2" "$rc" 2
expect_match "... says two" "$(cat "$err")" 'two FILEs'
mm -l "$a" "$b"
expect_eq "-l without --cmp: exit 2" "$rc" 2
mm --cmp --shift x "$a" "$b"
expect_eq "a bad --shift: exit 2" "$rc" 2
mm --cmp "$E2E_DIR" "$a"
expect_eq "a directory: exit 2" "$rc" 2

# A sparse 1 GiB pair: one byte differs, found without reading the holes.
rm -f "$a" "$b"
truncate -s 1G "$a" "$b"
printf 'x' | dd of="$b" bs=1 seek=536870912 conv=notrunc 2>/dev/null
printf 'hello' | dd of="$a" bs=1 seek=4096 conv=notrunc 2>/dev/null
printf 'hello' | dd of="$b" bs=1 seek=4096 conv=notrunc 2>/dev/null
mm --cmp "$a" "$b"
expect_eq "sparse 1 GiB: exit 1" "$rc" 1
expect_eq "sparse 1 GiB: the one byte" "$(cat "$out")" "536870912 1"

finish
