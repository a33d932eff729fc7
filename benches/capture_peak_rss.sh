#!/usr/bin/env bash
# Peak resident memory and wall time of the dumping side when dumping a live
# process: `mdump capture --pid`, and the library alone (the
# mdump_capture_dump example: `write_dump_of_process`), beside rust-minidump's
# minidump-writer (the minidump_writer_dump example:
# `MinidumpWriterConfig::new(pid, pid).write`), on `capture_target` processes
# of 1, 100 and 1,000 parked threads (the targets of the `capture` benchmark).
# The `mdump` command links the whole toolkit: its code pages count in its
# resident memory, so the library-to-library comparison is the examples'.
#
#   benches/capture_peak_rss.sh [SIZES...]      (default: 1 100 1000)
#
# Builds the release binaries, starts one target per size, dumps it RUNS
# times (default 5) with each tool under GNU time into /dev/shm, and prints
# a Markdown table of the smallest "Maximum resident set size" and wall
# time of each, the dump sizes, and the ratios minidump-writer / mdump (so
# "2×" means mdump used half the memory, or was twice as fast).
#
# Wall times are whole processes (start-up included) timed with bash's
# microsecond clock around GNU time; the `capture` benchmark times the
# library calls alone.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100 1000)
[ -x /usr/bin/time ] || { echo "$0: needs GNU time at /usr/bin/time" >&2; exit 1; }

cargo build --release -p mdump --bin mdump
cargo build --release -p mdump-benches --bin capture_target --example minidump_writer_dump --example mdump_capture_dump
built=${CARGO_TARGET_DIR:-target}/release
mdump=$built/mdump
peer=$built/examples/minidump_writer_dump
lib=$built/examples/mdump_capture_dump
target=$built/capture_target
scratch=$(mktemp -d /dev/shm/mdump-capture-rss.XXXXXX 2>/dev/null || mktemp -d)
feed=
cleanup() {
    [ -n "$feed" ] && kill "$feed" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT

# once / measure: peak RSS and wall time of a command, best of $runs.
# shellcheck source=benches/measure.sh
source benches/measure.sh

echo
echo "| threads | mdump capture RSS | mdump-capture library RSS | minidump-writer RSS | RSS ratio (library) | mdump capture wall | library wall | minidump-writer wall | wall ratio (library) | mdump dump | minidump-writer dump |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
    # The target lives while its stdin is open: a fifo held by a sleeper.
    fifo=$scratch/stdin-$n
    mkfifo "$fifo"
    sleep 100000 >"$fifo" &
    feed=$!
    "$target" "$n" <"$fifo" >"$scratch/ready-$n" &
    tpid=$!
    for _ in $(seq 600); do
        grep -q '^ready' "$scratch/ready-$n" 2>/dev/null && break
        sleep 0.1
    done
    grep -q '^ready' "$scratch/ready-$n" || { echo "$0: capture_target $n did not start" >&2; exit 1; }

    ours=$scratch/mdump-$n.dmp
    theirs=$scratch/peer-$n.dmp
    read -r m_rss m_wall m_status < <(measure "$mdump" capture --pid "$tpid" -o "$ours" --force)
    read -r l_rss l_wall l_status < <(measure "$lib" "$tpid" "$ours")
    read -r p_rss p_wall p_status < <(measure "$peer" "$tpid" "$theirs")
    flags=""
    [ "$m_status$l_status$p_status" = "000" ] || flags=" (exit: mdump $m_status, library $l_status, minidump-writer $p_status)"
    m_size=$(stat -c %s "$ours" 2>/dev/null || echo 0)
    p_size=$(stat -c %s "$theirs" 2>/dev/null || echo 0)
    awk -v n="$n" -v f="$flags" -v m="$m_rss" -v l="$l_rss" -v p="$p_rss" -v mw="$m_wall" -v lw="$l_wall" -v pw="$p_wall" \
        -v ms="$m_size" -v ps="$p_size" \
        'BEGIN { printf "| %s%s | %d KiB | %d KiB | %d KiB | %.2f× | %.1f ms | %.1f ms | %.1f ms | %.2f× | %d KiB | %d KiB |\n",
                 n, f, m, l, p, p / l, mw, lw, pw, pw / lw, ms / 1024, ps / 1024 }'

    kill "$feed" 2>/dev/null || true
    feed=
    wait "$tpid" 2>/dev/null || true
    rm -f "$fifo" "$ours" "$theirs"
done
echo
echo "Smallest of $runs runs each; every run dumps the same live target."
