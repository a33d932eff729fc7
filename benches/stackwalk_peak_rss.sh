#!/usr/bin/env bash
# Peak resident memory and wall time of `mdump stackwalk` beside
# rust-minidump's `minidump-stackwalk --json` on the inputs of the
# `stackwalk` benchmark: five corpus dumps with the corpus's symbols, and
# the two synthetic dumps (200 threads; an 8 MB symbol file) with theirs.
#
#   benches/stackwalk_peak_rss.sh [DIR]
#
# Builds the release `mdump`, writes the synthetic dumps and symbols to DIR
# (default target/stackwalk-inputs/files) with the make_stackwalk_inputs
# example, and runs each command RUNS times (default 5) under GNU time,
# printing a Markdown table of the smallest "Maximum resident set size" and
# wall time of each, and the ratios rust-minidump / mdump (so "3×" means
# mdump used a third of the memory, or was three times as fast).
#
# `mdump stackwalk --json` prints its JSON pretty-printed (as rust-minidump's
# `--json --pretty` does), so rust-minidump runs both ways: `--json`, the
# command the comparison is about, and `--json --pretty`, the same output
# bytes as mdump's. The ratios are against each.
#
# The peak heap of the two libraries alone, without the processes around
# them, is what the stackwalk_peak_heap example prints.
#
# Environment: MDUMP_CORPUS (default ../shared/corpus next to the
# workspace), MINIDUMP_STACKWALK (default ~/.cargo/bin/minidump-stackwalk),
# RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-target/stackwalk-inputs/files}
runs=${RUNS:-5}
corpus=${MDUMP_CORPUS:-../shared/corpus}
peer=${MINIDUMP_STACKWALK:-$HOME/.cargo/bin/minidump-stackwalk}
[ -x /usr/bin/time ] || { echo "$0: needs GNU time at /usr/bin/time" >&2; exit 1; }
[ -x "$peer" ] || { echo "$0: no minidump-stackwalk at $peer (set MINIDUMP_STACKWALK)" >&2; exit 1; }

cargo build --release -p mdump --bin mdump
cargo run --release -p mdump-benches --example make_stackwalk_inputs -- "$dir"
mdump=target/release/mdump
echo "peer: $("$peer" --version 2>/dev/null || echo "$peer")"

# name dump symbol-directory
inputs=()
if [ -d "$corpus/symbols" ]; then
    for name in linux_overflow linux_null_read_av minidump2 null_read_av tiny-exe-fastfail; do
        inputs+=("$name $corpus/dumps/$name.dmp $corpus/symbols")
    done
else
    echo "no corpus at $corpus (set MDUMP_CORPUS): synthetic inputs only" >&2
fi
for name in synthetic_200_threads synthetic_big_symbols; do
    inputs+=("$name $dir/$name.dmp $dir/$name/symbols")
done

# once / measure: peak RSS and wall time of a command, best of $runs.
# shellcheck source=benches/measure.sh
source benches/measure.sh

echo
echo "| input | mdump --json RSS | minidump-stackwalk --json RSS | --json --pretty RSS | RSS ratio (--json, --pretty) | mdump --json wall | minidump-stackwalk --json wall | --json --pretty wall | wall ratio (--json, --pretty) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for entry in "${inputs[@]}"; do
    read -r name dump syms <<<"$entry"
    read -r m_rss m_wall m_status < <(measure "$mdump" stackwalk --json "$dump" "$syms")
    read -r p_rss p_wall p_status < <(measure "$peer" --json "$dump" "$syms")
    read -r q_rss q_wall q_status < <(measure "$peer" --json --pretty "$dump" "$syms")
    flags=""
    [ "$m_status$p_status$q_status" = "000" ] || flags=" (exit: mdump $m_status, peer $p_status/$q_status)"
    awk -v n="$name" -v f="$flags" -v m="$m_rss" -v p="$p_rss" -v q="$q_rss" -v mw="$m_wall" -v pw="$p_wall" -v qw="$q_wall" \
        'BEGIN { printf "| %s%s | %d KiB | %d KiB | %d KiB | %.2f×, %.2f× | %.1f ms | %.1f ms | %.1f ms | %.2f×, %.2f× |\n",
                 n, f, m, p, q, p / m, q / m, mw, pw, qw, pw / mw, qw / mw }'
done
echo
echo "Wall times are whole processes (start-up included), smallest of $runs runs."
