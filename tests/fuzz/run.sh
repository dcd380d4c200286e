#!/usr/bin/env bash
# Run the libFuzzer harnesses of a FEEDKEEP_FUZZ build, one after another.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
#
# HARNESS is feed, content, date, url, opml, search, extract, media, json or
# markdown (default: all),
# each run for SECONDS. The seed corpora are made from the project's test
# data in a temporary directory (the feeds, JSON Feeds, HTML and OPML lists of tests/data,
# the lists dates.txt, urls.txt, queries.txt and media.txt, and every regression input).
# The exit status is non-zero when any harness found a crash, a leak,
# undefined behaviour, a timeout or an out-of-memory; its input is kept in
# BUILD_DIR/fuzz-artifacts/, with the output of each harness (<harness>.log).
#
# FUZZ_CORPUS=DIR keeps the inputs found in DIR/<harness> across runs (by
# default they are thrown away); FUZZ_ARGS adds libFuzzer options.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [feed|content|date|url|opml|search|extract|media|json|markdown|snippet...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(feed content date url opml search extract media json markdown snippet)

here=$(cd "$(dirname "$0")" && pwd)
data=$(cd "$here/../data" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

# seed HARNESS NAME CONTROL FILE: a seed of the control bytes (printf
# escapes) followed by the file's bytes.
seed() {
    { printf '%b' "$3"; cat "$4"; } > "$work/seeds/$1/$2"
}

# seed_lines HARNESS LIST: one seed per line of LIST, but comments
# ("# ..."), with printf %b escapes.
seed_lines() {
    local n=0 line
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in '#'*) continue ;; esac
        n=$((n + 1))
        printf '%b' "$line" > "$work/seeds/$1/line-$n"
    done < "$2"
}

# The control bytes are described at the top of each harness.
make_seeds() {
    local f name options
    mkdir -p "$work/seeds/$1"
    case $1 in
    feed)
        for f in "$data"/feeds/*.xml "$data"/devto-fuadhusnan.xml; do
            name=$(basename "$f" .xml)
            options=0 # what the .args beside the feed tell the parser
            if [ -f "${f%.xml}.args" ]; then
                grep -q -- --base-url "${f%.xml}.args" && options=$((options | 1))
                grep -q -- iso-8859-1 "${f%.xml}.args" && options=$((options | 4)) # charset 2
            fi
            # in memory, converting the HTML; and in chunks of varying size
            seed feed "$name-memory" "\\x$(printf %02x $((options | 32)))\\x00" "$f"
            seed feed "$name-chunks" "\\x$(printf %02x $options)\\x85" "$f"
        done
        ;;
    json)
        for f in "$data"/feeds/*.jsonfeed; do
            name=$(basename "$f" .jsonfeed)
            options=0
            [ -f "${f%.jsonfeed}.args" ] && options=1 # a document URL
            seed json "$name-memory" "\\x$(printf %02x $((options | 32)))\\x00" "$f"
            seed json "$name-chunks" "\\x$(printf %02x $options)\\x85" "$f"
            seed json "$name-bytes" "\\x$(printf %02x $options)\\x01" "$f"
        done
        ;;
    content)
        for f in "$data"/html/*.html; do
            name=$(basename "$f" .html)
            seed content "$name" '\x01\x00' "$f"       # a base URL, no wrapping
            seed content "$name-wrapped" '\x00\x28' "$f" # no base, 40 columns
        done
        ;;
    opml)
        for f in "$data"/opml/*.opml; do
            name=$(basename "$f" .opml)
            seed opml "$name-memory" '\x00\x00' "$f" # in memory, read to the end
            seed opml "$name-chunks" '\x00\x85' "$f" # in chunks of varying size
        done
        ;;
    extract)
        for f in "$data"/extract/*.html "$data"/html/*.html; do
            name=$(basename "$f" .html)
            seed extract "$name" '\x01' "$f" # a page URL
        done
        ;;
    markdown)
        for f in "$data"/html/*.html; do
            name=$(basename "$f" .html)
            seed markdown "$name" '\x01' "$f" # HTML, a base URL
        done
        # trees built directly: a paragraph of text, a list of two items,
        # a link whose text is its URL, a fenced code block in a quote
        printf '\x80\x00\x08\x05a*b_c' > "$work/seeds/markdown/tree-text"
        printf '\x80\x03\x1b\x04\x00\x08\x01x\x13\x13\x04\x00\x08\x01y' > "$work/seeds/markdown/tree-list"
        printf '\x80\x00\x0f\x08http://a\x00\x08\x08http://a' > "$work/seeds/markdown/tree-autolink"
        printf '\x80\x02\x05\x02py\x04```\n' > "$work/seeds/markdown/tree-code"
        ;;
    date) seed_lines date "$here/dates.txt" ;;
    url) seed_lines url "$here/urls.txt" ;;
    search) seed_lines search "$here/queries.txt" ;;
    media) seed_lines media "$here/media.txt" ;;
    snippet) seed_lines snippet "$here/snippets.txt" ;;
    esac
    if [ -d "$data/fuzz-regressions/$1" ]; then
        for f in "$data/fuzz-regressions/$1"/*; do
            cp "$f" "$work/seeds/$1/regression-$(basename "$f")"
        done
    fi
}

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for h in "${harnesses[@]}"; do
    bin=$build/tests/fuzz/fuzz_$h
    if [ ! -x "$bin" ]; then
        echo "fuzz_$h: no such harness in $build (configure with -DFEEDKEEP_FUZZ=ON)" >&2
        exit 2
    fi
    make_seeds "$h"
    corpus=${FUZZ_CORPUS:-$work/corpus}/$h
    mkdir -p "$corpus"
    dict=()
    [ -f "$here/$h.dict" ] && dict=("-dict=$here/$h.dict")
    log=$artifacts/$h.log
    echo "+ fuzz_$h for ${seconds}s ($(find "$work/seeds/$h" -type f | wc -l) seeds)"
    # The first directory receives the inputs libFuzzer finds; the seeds
    # are only read. FUZZ_ARGS is split into options on purpose.
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$h-" "${dict[@]}" ${FUZZ_ARGS:-} \
        "$corpus" "$work/seeds/$h" > "$log" 2>&1; then
        grep -E '^#[0-9]+' "$log" | tail -n 1
        grep -E '^Done [0-9]+ runs' "$log" || true
    else
        status=1
        echo "fuzz_$h: FAILED; the end of its output:"
        tail -n 60 "$log"
        echo "fuzz_$h: the input is in $artifacts/"
    fi
done
exit $status
