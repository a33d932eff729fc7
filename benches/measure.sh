# Shared by the *_peak_rss.sh scripts (sourced, not run): one command's
# peak RSS and wall time. Callers set $runs.
#
# The wall time is taken around GNU time with bash's microsecond clock (GNU
# time's own has 10 ms steps); it includes starting GNU time, the same for
# every tool measured.

# Prints "RSS_KIB MILLISECONDS EXIT" for one run of the command.
once() {
    local log status=0 t0 t1 rss
    log=$(mktemp)
    t0=${EPOCHREALTIME/[.,]/}
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1 || status=$?
    t1=${EPOCHREALTIME/[.,]/}
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$log")
    rm -f "$log"
    echo "$rss $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) $status"
}

# Prints the smallest RSS and wall time over $runs runs, and the last exit.
measure() {
    local best_rss="" best_wall="" status=0 rss wall
    for _ in $(seq "$runs"); do
        read -r rss wall status < <(once "$@")
        if [ -z "$best_rss" ] || [ "$rss" -lt "$best_rss" ]; then best_rss=$rss; fi
        if [ -z "$best_wall" ] || awk "BEGIN { exit !($wall < $best_wall) }"; then best_wall=$wall; fi
    done
    echo "$best_rss $best_wall $status"
}
