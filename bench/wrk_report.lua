-- wrk reports p50/75/90/99 only; print the exact p95 (and the rest) as one JSON line for bench/throughput.py.
-- summary.errors.status counts responses with a status above 399 (wrk's "Non-2xx or 3xx responses").
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"status_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(95)), math.floor(latency:percentile(99)),
    e.status, e.connect, e.read, e.write, e.timeout))
end
