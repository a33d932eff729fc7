#!/usr/bin/env bash
# Peak resident memory of `mdump dump` on the large synthetic dump (1,000
# threads, 1 GiB of Memory64List memory), in the human and JSON formats.
#
#   benches/peak_rss.sh PATH
#
# Builds the release `mdump` binary, writes the dump to PATH first if there is
# no file there (with the make_big_dump example; /dev/shm/... keeps it off the
# disk), and prints GNU time's "Maximum resident set size" for each run.
# A file the script wrote is removed at the end; one given to it is left.
#
# The number counts every resident page of the process, including the pages
# of the memory-mapped dump it touched: the kernel maps up to 64 KiB around
# each page fault of a cached file, so touching one word in each of the 1,024
# memory ranges shows up as about 64 MiB even though nothing was copied.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
    echo "usage: $0 PATH-OF-THE-1GIB-DUMP" >&2
    exit 2
fi
dump=$1
[ -x /usr/bin/time ] || { echo "$0: needs GNU time at /usr/bin/time" >&2; exit 1; }

cargo build --release -p mdump --bin mdump
made=
if [ ! -e "$dump" ]; then
    cargo run --release -p mdump-benches --example make_big_dump -- "$dump"
    made=1
fi
trap '[ -n "$made" ] && rm -f "$dump"' EXIT

size=$(stat -c %s "$dump")
echo "dump: $dump ($size bytes)"
for args in "dump" "dump --json"; do
    log=$(mktemp)
    # The exit status is reported, not fatal: the command may not handle
    # everything yet, and its memory use is still worth knowing.
    status=0
    # shellcheck disable=SC2086 # $args is two words on purpose
    /usr/bin/time -v -o "$log" target/release/mdump $args "$dump" >/dev/null 2>&1 || status=$?
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$log")
    wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
    printf 'mdump %-12s peak RSS %8s KiB  wall %s  exit %s\n' "$args" "$rss" "$wall" "$status"
    rm -f "$log"
done
