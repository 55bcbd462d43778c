-- wrk script: POST canonical purchase orders with a unique PO number and idempotency key
-- per document, as single JSON bodies or NDJSON batches.
--
--   python -m bench.payloads /tmp/po.json   # writes TEMPLATE
--   wrk -t1 -c32 -d10s -s bench/wrk_post.lua URL -- TEMPLATE RUN_ID [BATCH]
--
-- TEMPLATE is a file holding one line of PO JSON with the marker @@N@@ inside its PO number;
-- each document replaces it with "<thread>-<counter>". BATCH > 1 sends BATCH lines per
-- request (NDJSON) with per-request Idempotency-Key (and -Prefix) headers. With
-- BENCH_LIMIT=N in the environment each thread prints "BENCHLIMIT" once N POSTs
-- have been answered and sends no more (up to one per connection may still be in flight).
-- done() prints one line "BENCHJSON {...}" that bench/wrkrun.py parses.

local LIMIT = tonumber(os.getenv("BENCH_LIMIT") or "0")
local thread_count = 0
local prefix, suffix, run_id
local batch = 1
local counter = 0
local answered = 0
local headers = {}

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local template = f:read("*a")
  f:close()
  local i, j = template:find("@@N@@", 1, true)
  prefix = template:sub(1, i - 1)
  suffix = template:sub(j + 1)
  run_id = args[2] or "run"
  batch = tonumber(args[3] or "1")
  headers["X-Crossdock-Source"] = "bench"
  local authorization = os.getenv("BENCH_AUTHORIZATION")
  if authorization then
    headers["Authorization"] = authorization
  end
  if batch > 1 then
    headers["Content-Type"] = "application/x-ndjson"
  else
    headers["Content-Type"] = "application/json"
  end
end

local function doc_id()
  counter = counter + 1
  return tid .. "-" .. counter
end

function request()
  -- Not "counter >= LIMIT": wrk builds (and drops) an extra request per thread at start.
  if LIMIT > 0 and answered >= LIMIT then
    return wrk.format("GET", "/healthz", {}, nil)
  end
  if batch == 1 then
    local n = doc_id()
    headers["Idempotency-Key"] = run_id .. "-" .. n
    return wrk.format("POST", nil, headers, prefix .. n .. suffix)
  end
  local lines = {}
  local first = nil
  for k = 1, batch do
    local n = doc_id()
    first = first or n
    lines[k] = prefix .. n .. suffix
  end
  -- The hub keys each line as "<Idempotency-Key>:<line number>"; the prefix header is the
  -- alternative spelling some intake versions read.
  headers["Idempotency-Key"] = run_id .. "-b" .. first
  headers["Idempotency-Key-Prefix"] = run_id .. "-b" .. first .. "-"
  return wrk.format("POST", nil, headers, table.concat(lines, "\n") .. "\n")
end

if LIMIT > 0 then
  -- Only defined in limit mode: a response() callback makes wrk parse every response.
  function response(status, _headers, _body)
    if status ~= 200 then
      answered = answered + 1
      if answered >= LIMIT then
        -- wrk itself runs for its full -d: tell the parent, which interrupts it.
        io.write("BENCHLIMIT\n")
        io.flush()
        wrk.thread:stop()
      end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({50, 90, 99, 99.9}) do
    p[#p + 1] = string.format('"%s":%d', tostring(q), latency:percentile(q))
  end
  io.write(string.format(
    'BENCHJSON {"duration_us":%d,"requests":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"latency_us":{"mean":%.1f,"max":%d,%s}}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency.max, table.concat(p, ",")))
end
