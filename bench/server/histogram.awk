# histogram.awk — server-side percentiles for scripts/bench-server.sh: reads two scrapes of
# /metrics (before, after) and prints the p50/p99 bucket bounds of one histogram series
# (-v metric=NAME -v sel='label="value"') over the requests made between them.
FNR == NR { if (index($0, metric "_bucket{" sel ",le=") == 1) { split($0, a, ",le=\""); split(a[2], b, "\""); before[b[1]] = $NF } next }
index($0, metric "_bucket{" sel ",le=") == 1 {
    split($0, a, ",le=\""); split(a[2], b, "\""); le = b[1]; n++; les[n] = le; delta[le] = $NF - before[le]
}
END {
    total = delta["+Inf"]; if (total <= 0) { print "no samples"; exit }
    p50 = ""; p99 = ""
    for (i = 1; i <= n; i++) { le = les[i]
        if (p50 == "" && delta[le] >= 0.5 * total) p50 = le
        if (p99 == "" && delta[le] >= 0.99 * total) p99 = le }
    printf "%d samples, p50 <= %s s, p99 <= %s s\n", total, p50, p99
}
