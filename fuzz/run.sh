#!/usr/bin/env bash
# Fuzz wsc's parsers with AFL++ through cargo-afl, on stable Rust.
#
#   fuzz/run.sh TARGET [MINUTES]   fuzz one target (default 10 minutes)
#   fuzz/run.sh all [MINUTES]      each target in turn, MINUTES each
#
# Starts from seeds/TARGET plus the kept corpus/TARGET, then copies new crashes (minimised) to
# crashes/TARGET and minimises the queue back into corpus/TARGET; commit both, and
# `cargo test --test fuzz_corpus` replays them. AFL's own working files stay in out/ (ignored).
# Needs once per machine: cargo install cargo-afl (it builds AFL++; see the README).
set -euo pipefail
cd "$(dirname "$0")"

# The targets, each a bin in src/bin/ calling wsc::fuzz::NAME (the protocol core's are in
# wsc::fuzz::protocol).
TARGETS=(slash jsonl flags frame_client frame_server frame_client_deflate frame_server_deflate
    handshake_answer handshake_request)

# Command lines and text lines: larger ones find nothing new and bloat the corpus. Frames and
# handshake heads need room for length fields, fragments and compressed data.
max_len() {
    case $1 in
        frame_* | handshake_*) echo 65536 ;;
        *) echo 2048 ;;
    esac
}

usage() {
    echo "usage: fuzz/run.sh TARGET|all [MINUTES]   (targets: ${TARGETS[*]})" >&2
    exit 2
}

# Non-interactive, and tolerant of a shared machine: no CPU pinning, no governor or core-dump
# setup (AFL would refuse to start on either otherwise).
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1

# Names by content, so reruns add no duplicates and names carry no ':' from AFL.
keep_as() {
    local file=$1 dir=$2
    mkdir -p "$dir"
    cp "$file" "$dir/$(sha1sum <"$file" | cut -c1-16)"
}

# Where cargo-afl keeps AFL++ for this toolchain. `cargo afl cmin` runs AFL++'s Python afl-cmin,
# which keeps nothing (empty traces with the map size a Rust target reports) or fails (with any
# other size); its shell version works.
afl_bin() {
    local release hash
    release=$(rustc -vV | sed -n 's/^release: //p')
    hash=$(rustc -vV | sed -n 's/^commit-hash: //p' | cut -c1-7)
    local dirs=("${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/rustc-"$release-$hash"/afl.rs-*/afl/bin)
    echo "${dirs[-1]}"
}

stat_of() {
    sed -n "s/^$1 *: *//p" "$2"
}

fuzz_one() {
    local target=$1 minutes=$2
    local bin=target/release/$target out=out/$target
    rm -rf "$out"
    mkdir -p "$out/in"
    cp seeds/"$target"/* "$out/in/"
    if [ -d "corpus/$target" ]; then
        cp corpus/"$target"/* "$out/in/" 2>/dev/null || true
    fi

    cargo afl fuzz -i "$out/in" -o "$out/afl" -G "$(max_len "$target")" -V $((minutes * 60)) -- "$bin" \
        >"$out/fuzz.log" 2>&1 || {
        echo "$target: afl-fuzz failed, see fuzz/$out/fuzz.log" >&2
        tail -20 "$out/fuzz.log" >&2
        return 1
    }
    local found=$out/afl/default

    # Crashes: minimised, then kept for the replay test.
    local crash
    for crash in "$found"/crashes/id:*; do
        [ -e "$crash" ] || continue
        if cargo afl tmin -i "$crash" -o "$out/min" -- "$bin" >>"$out/tmin.log" 2>&1; then
            keep_as "$out/min" "crashes/$target"
        else
            keep_as "$crash" "crashes/$target"
        fi
    done

    # The corpus: the old one plus the queue, cut down to the smallest set with the same coverage.
    mkdir -p "$out/all"
    cp "$found"/queue/id:* "$out/all/"
    if [ -d "corpus/$target" ]; then
        cp corpus/"$target"/* "$out/all/" 2>/dev/null || true
    fi
    # -e: edges only, not hit counts, for a smaller corpus.
    "$(afl_bin)/afl-cmin.bash" -e -i "$out/all" -o "$out/cmin" -- "$bin" >"$out/cmin.log" 2>&1 || {
        echo "$target: afl-cmin failed, see fuzz/$out/cmin.log" >&2
        return 1
    }
    if ! compgen -G "$out/cmin/*" >/dev/null; then
        echo "$target: afl-cmin kept nothing, corpus left as it was; see fuzz/$out/cmin.log" >&2
        return 1
    fi
    rm -rf "corpus/$target"
    local file
    for file in "$out"/cmin/*; do
        keep_as "$file" "corpus/$target"
    done

    local stats=$found/fuzzer_stats
    printf '%s: %s executions, %s exec/s, %s paths, corpus %s files, %s crashes, %s hangs\n' \
        "$target" "$(stat_of execs_done "$stats")" "$(stat_of execs_per_sec "$stats")" \
        "$(stat_of corpus_count "$stats")" "$(find "corpus/$target" -type f | wc -l)" \
        "$(stat_of saved_crashes "$stats")" "$(stat_of saved_hangs "$stats")"
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
minutes=${2:-10}
[[ $minutes =~ ^[0-9]+$ ]] && [ "$minutes" -gt 0 ] || usage
case $1 in
    all) selected=("${TARGETS[@]}") ;;
    *)
        [[ " ${TARGETS[*]} " == *" $1 "* ]] || usage
        selected=("$1")
        ;;
esac

cargo afl build --release --quiet
for target in "${selected[@]}"; do
    fuzz_one "$target" "$minutes"
done
