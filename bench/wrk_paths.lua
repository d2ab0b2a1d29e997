-- wrk script for bench.run: walks a list of paths as several signed-in viewers, then prints one
-- line "BENCH_RESULT {json}".
--
--   wrk --threads=T … --script=bench/wrk_paths.lua http://127.0.0.1:PORT \
--       -- PATHS_FILE [START [T [COOKIES_FILE]]]
--
-- PATHS_FILE holds one path (with its query string) per line, COOKIES_FILE one Cookie header
-- value per line (a viewer's session; without it, wrk's own headers are sent). Request n of the
-- walk asks for path n, as viewer n ÷ paths: one pass over the paths per viewer, then the
-- next viewer, so every (viewer, path) pair comes once before any comes again — a cache keyed
-- to viewer and URL helps only after paths × viewers requests. The walk starts at request
-- START (0 by default) and starts over at its end. One path and no cookies file is the repeat
-- mode: the same URL again and again.
--
-- wrk calls request() once per request of a thread, whichever of the thread's connections
-- sends it, so consecutive requests (hence the requests in flight on the connections at any
-- moment) ask for consecutive, distinct paths: the connections never move in lockstep. With
-- several threads (--threads), each starts at its own offset, spread over the walk.
--
-- Latencies are in microseconds, as wrk records them. There is no response() hook: it would
-- slow wrk down; non-2xx/3xx answers are counted by wrk itself (errors.status).

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local paths = {}
local cookies = {}
local walk_length = 0
local position = 0

local function read_lines(file, into)
  for line in io.lines(file) do
    if line ~= "" then
      into[#into + 1] = line
    end
  end
  if #into == 0 then
    error("no lines in " .. file)
  end
end

function init(args)
  if args[1] == nil then
    error("wrk_paths.lua needs the paths file: wrk … URL -- PATHS_FILE [START [T [COOKIES]]]")
  end
  read_lines(args[1], paths)
  if args[4] ~= nil and args[4] ~= "" then
    local values = {}
    read_lines(args[4], values)
    for index, value in ipairs(values) do
      cookies[index] = { Cookie = value }  -- a viewer's headers, built once
    end
  end
  walk_length = #paths * math.max(1, #cookies)
  local start = tonumber(args[2] or "0")
  local thread_count = tonumber(args[3] or "1")
  -- thread_index is set by setup(): each thread starts at its own share of the walk.
  position = (start + math.floor(thread_index * walk_length / thread_count)) % walk_length
end

function request()
  local path = paths[position % #paths + 1]
  local headers = nil
  if #cookies > 0 then
    headers = cookies[math.floor(position / #paths) + 1]
  end
  position = (position + 1) % walk_length
  return wrk.format(nil, path, headers)
end

function done(summary, latency, requests)
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
