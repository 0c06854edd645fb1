-- wrk script: after the run, prints the latency histogram ("H <µs> <count>" per non-empty
-- bucket) and the totals ("T <requests> <µs> <answers with status >= 400>"), for run.sh to
-- merge the slices of a measurement. No per-response hook: it would slow wrk down.
done = function(summary, latency, requests)
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("H %d %d\n", value, count))
  end
  io.write(string.format("T %d %d %d\n", summary.requests, summary.duration, summary.errors.status))
end
