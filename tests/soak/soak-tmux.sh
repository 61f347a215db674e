#!/bin/sh
# soak-tmux.sh: the soak's end-to-end half. The real binary in a private
# tmux server (tests/e2e/lib.sh), a few short random sessions in copy and
# shared mode: hex typed at random offsets, and between keystrokes another
# process writes bytes in place, rewrites the file at the same size
# (`cat other > f`), truncates it to 0 and back, shortens it (cutting
# edits off) or grows it. A shadow of the file kept here (the same
# operations applied to a copy, plus the edits not yet written) gives the
# bytes expected on disk after each `w`; the screen must say when edits are
# re-applied, lost (with the count) or when the file was replaced.
#
# SOAK_TMUX_SEED picks the sessions (default: a fixed set);
# SOAK_TMUX_ROUNDS the rounds per session.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux
command -v od >/dev/null || skip "od is not installed"

f=$E2E_DIR/f.bin
disk=$E2E_DIR/disk.bin # the shadow of the file on disk
edits=$E2E_DIR/edits   # "OFFSET VALUE" typed since the last write (copy mode)
seeds=${SOAK_TMUX_SEED:-11}
rounds=${SOAK_TMUX_ROUNDS:-4}

# rnd N: R gets a number in [0, N) from the seeded stream (an LCG: the
# script runs under any sh, and $(...) would not advance the stream).
rnd() {
    S=$(((S * 1103515245 + 12345) % 2147483648))
    R=$((S / 65536 % $1))
}
size_of() { wc -c <"$1" | tr -d ' '; }
byte_at() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }

# wait_key_off HEX: the status row shows the cursor at offset HEX.
wait_off() { wait_for "^0x0*$1/0x" 5 >/dev/null; }

# type_edit OFF: goto OFF, type a byte that differs from the shown one.
type_edit() {
    local off=$1 cur val hex
    cur=$(byte_at "$disk" "$off")
    val=$(((cur ^ 0x5a) & 255))
    hex=$(printf '%02x' "$val")
    keys g
    literal "$(printf '0x%x' "$off")"
    keys Enter
    wait_off "$(printf '%x' "$off")" || { fail "$label: goto 0x$(printf '%x' "$off")"; return; }
    keys i
    literal "$hex"
    keys Escape
    # The cursor moves on once the byte is taken (not past the last byte).
    if [ "$((off + 1))" -lt "$(size_of "$disk")" ]; then
        wait_off "$(printf '%x' $((off + 1)))" || fail "$label: the edit at 0x$(printf '%x' "$off") was not taken"
    else
        sleep 0.25
    fi
    if [ "$mode" = shared ]; then
        poke "$disk" "$off" "$hex"
    else
        echo "$off $val" >>"$edits"
    fi
}

# expected: the shadow disk plus the unwritten edits.
expected() {
    cp "$disk" "$E2E_DIR/want.bin"
    [ -s "$edits" ] || return 0
    while read -r off val; do
        poke "$E2E_DIR/want.bin" "$off" "$(printf '%02x' "$val")"
    done <"$edits"
}

# cut_edits SIZE: drop edits at or past SIZE; prints how many were dropped.
cut_edits() {
    local n=0
    [ -s "$edits" ] || { echo 0; return; }
    n=$(awk -v s="$1" '$1 >= s' "$edits" | wc -l | tr -d ' ')
    awk -v s="$1" '$1 < s' "$edits" >"$edits.tmp"
    mv "$edits.tmp" "$edits"
    echo "$n"
}

n_edits() { [ -s "$edits" ] && wc -l <"$edits" | tr -d ' ' || echo 0; }

check_write() {
    local n
    n=$(n_edits)
    keys w
    if [ "$mode" = copy ]; then
        if [ "$n" -eq 0 ]; then
            see_msg "$label: w with nothing net says so" 'nothing to write' 5
        else
            see_msg "$label: w writes the $n net bytes" "^wrote $n bytes? in " 5
        fi
    else
        see_msg "$label: w flushes" 'flushed' 5
    fi
    expected
    if cmp -s "$f" "$E2E_DIR/want.bin"; then
        ok "$label: the file on disk is the shadow after w"
    else
        fail "$label: the file on disk differs from the shadow after w: $(cmp "$f" "$E2E_DIR/want.bin" 2>&1 | head -1)"
    fi
    cp "$E2E_DIR/want.bin" "$disk"
    : >"$edits"
}

for seed in $seeds; do
    S=$seed
    for mode in copy shared; do
        label="seed $seed $mode"
        rnd 8192
        size=$((4096 + R))
        make_pattern "$f" "$size"
        cp "$f" "$disk"
        : >"$edits"
        start "-${mode%"${mode#?}"}" "$f"
        see "$label: the editor is up" "mmhex  f\\.bin  [A-Z]+" 10
        r=0
        while [ "$r" -lt "$rounds" ]; do
            r=$((r + 1))
            size=$(size_of "$disk")
            # Edits at offsets 0 mod 4 that are not edited yet; other
            # writers poke at 2 mod 4 (so an edit's value at first touch is
            # the file's, see README).
            rnd 3
            k=$((1 + R))
            while [ "$k" -gt 0 ]; do
                rnd "$size"
                off=$((R / 4 * 4))
                rnd 3
                if [ "$R" -eq 0 ]; then off=$(((size - 1) / 4 * 4)); fi
                grep -q "^$off " "$edits" 2>/dev/null || type_edit "$off"
                k=$((k - 1))
            done
            rnd 6
            case $R in
            0) # another writer, in place
                rnd "$size"
                off=$((R / 4 * 4 + 2))
                [ "$off" -lt "$size" ] || off=2
                poke "$f" "$off" c3
                poke "$disk" "$off" c3
                sleep 0.25
                ;;
            1 | 2) # cat other > f: same size, a few bytes changed
                cp "$disk" "$E2E_DIR/other.bin"
                rnd "$size"
                poke "$E2E_DIR/other.bin" "$((R / 4 * 4 + 1))" 99
                cat "$E2E_DIR/other.bin" >"$f"
                cp "$E2E_DIR/other.bin" "$disk"
                if [ "$mode" = copy ] && [ "$(n_edits)" -gt 0 ]; then
                    see_msg "$label: a rewrite under edits re-applies them" 're-?appl' 5
                else
                    sleep 0.25
                fi
                ;;
            3) # truncate to 0 and back
                truncate -s 0 "$f"
                truncate -s "$size" "$f"
                truncate -s 0 "$disk"
                truncate -s "$size" "$disk"
                if [ "$mode" = copy ] && [ "$(n_edits)" -gt 0 ]; then
                    see_msg "$label: truncate 0 and back re-applies the edits" 're-?appl' 5
                else
                    sleep 0.25
                fi
                ;;
            4) # shorter, cutting the file mid-way
                rnd 64
                new=$((size / 2 + R))
                truncate -s "$new" "$f"
                truncate -s "$new" "$disk"
                lost=$(cut_edits "$new")
                if [ "$mode" = copy ] && [ "$lost" -gt 0 ]; then
                    see_msg "$label: truncation says $lost edited bytes lost" "truncat.*[^0-9]$lost edited bytes? (lost|now past the end)" 5
                else
                    see_msg "$label: truncation is noticed" 'truncat' 5
                fi
                ;;
            5) # longer
                rnd 3000
                new=$((size + 1 + R))
                truncate -s "$new" "$f"
                truncate -s "$new" "$disk"
                sleep 0.25 # said only if nothing weightier is on the message row
                ;;
            esac
            rnd 2
            if [ "$R" -eq 0 ] || [ "$r" -eq "$rounds" ]; then
                check_write
            fi
        done
        # The file renamed over: the editor says so, and w must not write
        # into the new file (nor claim success).
        type_edit 0
        printf 'new file\n' >"$E2E_DIR/new.bin"
        mv "$E2E_DIR/new.bin" "$f"
        see_msg "$label: a file renamed over the path is noticed" 'replac' 5
        keys w
        see_msg "$label: w refuses to write after the rename" 'replac|delet' 5
        expect_eq "$label: the new file is untouched" "$(cat "$f")" "new file"
        keys Q
        wait_exit
    done
done
finish
