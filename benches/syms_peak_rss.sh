#!/usr/bin/env bash
# Peak resident memory and wall time of `mdump syms` beside Mozilla's
# `dump_syms --inlines` (the mode whose records match ours) on large
# binaries with DWARF:
#
#   benches/syms_peak_rss.sh [INPUT ...]
#
# Default inputs: `mdump` itself built with full debug information
# (CARGO_PROFILE_RELEASE_DEBUG=2, into its own target directory under
# target/syms-bench, so the shared release build is left alone), and, when
# installed, Debian's libstdc++6-12-dbg (an unstripped libstdc++ with full
# DWARF) and libc6-dbg's separate debug file for libc.so.6.
#
# Each command runs RUNS times (default 5) under GNU time; the table has
# the smallest "Maximum resident set size" and wall time of each, and the
# ratios dump_syms / mdump (so "2×" means mdump took half the time or
# memory). Both tools use every core.
#
# Environment: DUMP_SYMS (default ~/.cargo/bin/dump_syms), MDUMP (default:
# the release build of this workspace), RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
peer=${DUMP_SYMS:-$HOME/.cargo/bin/dump_syms}
[ -x /usr/bin/time ] || { echo "$0: needs GNU time at /usr/bin/time" >&2; exit 1; }
[ -x "$peer" ] || { echo "$0: no dump_syms at $peer (cargo install dump_syms --locked; or set DUMP_SYMS)" >&2; exit 1; }

bench_dir=target/syms-bench
if [ -z "${MDUMP:-}" ]; then
    cargo build --release -p mdump --bin mdump
    MDUMP=target/release/mdump
fi
inputs=("$@")
if [ "${#inputs[@]}" -eq 0 ]; then
    CARGO_PROFILE_RELEASE_DEBUG=2 CARGO_TARGET_DIR="$bench_dir/target" cargo build --release -p mdump --bin mdump
    cp "$bench_dir/target/release/mdump" "$bench_dir/mdump-debug2"
    inputs+=("$bench_dir/mdump-debug2")
    stdcxx=/usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6.0.30
    [ -f "$stdcxx" ] && inputs+=("$stdcxx")
    libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
    id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: //p')
    [ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] &&
        inputs+=("/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug")
fi
echo "peer: $("$peer" --version 2>/dev/null || echo "$peer")"

# once / measure: peak RSS and wall time of a command, best of $runs.
# shellcheck source=benches/measure.sh
source benches/measure.sh

echo
echo "| input | size | mdump syms RSS | dump_syms RSS | RSS ratio | mdump syms wall | dump_syms wall | wall ratio |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for input in "${inputs[@]}"; do
    size=$(stat -c %s "$input")
    read -r m_rss m_wall m_status < <(measure "$MDUMP" syms "$input")
    read -r p_rss p_wall p_status < <(measure "$peer" --inlines "$input")
    flags=""
    [ "$m_status$p_status" = "00" ] || flags=" (exit: mdump $m_status, dump_syms $p_status)"
    awk -v n="$(basename "$input")" -v f="$flags" -v s="$size" -v m="$m_rss" -v p="$p_rss" -v mw="$m_wall" -v pw="$p_wall" \
        'BEGIN { printf "| %s%s | %.1f MB | %d KiB | %d KiB | %.2f× | %.1f ms | %.1f ms | %.2f× |\n",
                 n, f, s / 1e6, m, p, p / m, mw, pw, pw / mw }'
done
echo
echo "Wall times are whole processes (start-up included), smallest of $runs runs."
