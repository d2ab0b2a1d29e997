-- wrk script: at the end of a run, print one line "BENCH_RESULT {json}" for bench.run to read.
-- Latencies are in microseconds, as wrk records them. No per-response hook: it would slow wrk.

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"latency_us": {"mean": %.1f, "p50": %.1f, "p90": %.1f, "p99": %.1f, "max": %.1f}, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
