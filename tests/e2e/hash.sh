#!/bin/sh
# hash.sh: checksums and digests of the file, a range and the selection.
#   batch: `hash ALGO` prints what sha256sum, b2sum, md5sum (and rhash for
#     CRC-32C, when installed) print, for a dense and a sparse file, with
#     unwritten copy-mode edits included;
#   on screen: # and Enter hash the file (sha256); a selection is hashed
#     alone; an edit made in shared mode is in the value; a long hash shows
#     progress and Esc cancels it.
. "${srcdir:-.}/tests/e2e/lib.sh"

f=$E2E_DIR/f.bin
sp=$E2E_DIR/sparse.bin
cp_=$E2E_DIR/copy.bin
make_pattern "$f" 300000

# ---- batch ------------------------------------------------------------------
expect_eq "hash sha256 prints what sha256sum prints" \
    "$("$MMHEX" -r -e 'hash sha256' "$f")" "$(sha256sum "$f")"
expect_eq "hash (no algorithm) is sha256" "$("$MMHEX" -r -e hash "$f")" "$(sha256sum "$f")"
expect_eq "hash blake2b prints what b2sum prints" \
    "$("$MMHEX" -r -e 'hash blake2b' "$f")" "$(b2sum "$f")"
expect_eq "hash md5 prints what md5sum prints" "$("$MMHEX" -r -e 'hash md5' "$f")" "$(md5sum "$f")"
want=$(dd if="$f" bs=1 skip=4096 count=1000 2>/dev/null | sha1sum | cut -d' ' -f1)
expect_eq "a range: HEX  PATH@OFF+LEN" "$("$MMHEX" -r -e 'hash sha1 4096 1000' "$f")" \
    "$want  $f@0x1000+0x3e8"
expect_match "hash all names each algorithm" "$("$MMHEX" -r -e 'hash all' "$f")" \
    "^sha3-256 +[0-9a-f]{64}  "
"$MMHEX" -r -e 'hash sha384' "$f" >/dev/null 2>"$E2E_DIR/err"
expect_eq "an unknown algorithm fails" "$?" 1
expect_match "... and says which are known" "$(cat "$E2E_DIR/err")" "unknown algorithm.*crc32c"

# A sparse file: holes cost nothing, the value is the same as for the bytes.
truncate -s 3G "$sp"
printf 'data in the middle' | dd of="$sp" bs=1 seek=1500000000 conv=notrunc 2>/dev/null
printf 'and at the end' | dd of="$sp" bs=1 seek=3221225000 conv=notrunc 2>/dev/null
expect_eq "a sparse file's md5 is md5sum's" "$("$MMHEX" -r -e 'hash md5' "$sp")" "$(md5sum "$sp")"
if command -v rhash >/dev/null 2>&1; then
    expect_eq "a sparse file's CRC-32C is rhash's" \
        "$("$MMHEX" -r -e 'hash crc32c' "$sp" | cut -d' ' -f1)" \
        "$(rhash --printf '%{crc32c}' "$sp")"
    expect_eq "a sparse file's CRC-32 is rhash's" \
        "$("$MMHEX" -r -e 'hash crc32' "$sp" | cut -d' ' -f1)" \
        "$(rhash --printf '%{crc32}' "$sp")"
else
    echo "note: rhash is not installed: CRC-32/CRC-32C of the sparse file not compared"
fi

# Unwritten copy-mode edits are in the value; the file is untouched.
cp "$f" "$cp_"
poke "$cp_" 16 de ad be ef
expect_eq "copy-mode edits are hashed before they are written" \
    "$("$MMHEX" -e 'goto 16' -e 'put de ad be ef' -e 'hash sha256' "$f" | cut -d' ' -f1)" \
    "$(sha256sum <"$cp_" | cut -d' ' -f1)"
expect_eq "... and the file is untouched" "$(cmp "$f" "$cp_" >/dev/null || echo differs)" differs

# ---- on screen -----------------------------------------------------------------
need_tmux
sum=$(sha256sum <"$f" | cut -c1-40)
start "$f"
see "the editor is up" 'COPY'
keys '#'
see_msg "# opens the hash prompt" '^hash:'
keys Enter
see "Enter hashes the file with sha256" "$sum"
keys q
see "a key leaves the output page" 'COPY'
see_msg "the message row keeps the digest" "sha256 $(printf '%s' "$sum" | cut -c1-20)"

# A selection of 16 bytes at 0x20: only they are hashed.
keys g
literal 0x20
keys Enter
keys v
literal lllllllllllllll
sel=$(dd if="$f" bs=1 skip=32 count=16 2>/dev/null | md5sum | cut -d' ' -f1)
keys '#'
literal md5
keys Enter
see "a selection is hashed alone (range in the output)" "$sel  .*f\.bin@0x20\+0x10"
keys q
keys q
wait_exit

# Shared mode: an edit typed on screen is in the value.
cp "$f" "$cp_"
start -s "$cp_"
see "shared mode" 'SHARED'
keys i
literal 0102
keys Escape
poke "$f" 0 01 02
sum=$(sha256sum <"$f" | cut -c1-40)
keys '#'
keys Enter
see "shared mode: the edit is in the value" "$sum"
keys q
keys q
wait_exit

# A long hash (SHA-512 over 64 GiB of holes) shows progress; Esc cancels it.
big=$E2E_DIR/big.bin
truncate -s 64G "$big"
start -r "$big"
see "the big file is up" 'READ-ONLY'
keys '#'
literal sha512
keys Enter
see_msg "progress on the message row" 'hashing 0x[0-9a-f]+ [0-9]+% .*/s, Esc cancels'
keys Escape
see_msg "Esc cancels the hash" 'hash cancelled at 0x'
keys q
wait_exit
finish
