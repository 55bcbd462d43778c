// node-x12 baseline for crossdock's X12 benchmark (bench/x12_bench.py).
//
//   node parse.js FILE     -> prints one JSON object
//
// Reads the whole file and parses it with node-x12's X12Parser in strict mode, the library's
// documented way (`new X12Parser(true).parse(edi)`): strict mode throws on the envelope
// errors it checks (SE01 segment count, SE02/ST02, GE01/GE02, IEA01/IEA02) and returns an
// X12FatInterchange when the file holds several interchanges. The timed part is reading the
// file plus parsing; the segment count walks the returned object model afterwards.
'use strict';

const fs = require('fs');
const { X12Parser } = require('node-x12');
const pkg = require('node-x12/package.json');

// Peak RSS since exec (VmHWM): process.resourceUsage().maxRSS is getrusage, which on Linux
// also counts the high-water mark of the (Python) process this one was forked from.
function peakRssMb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'ascii'));
    if (m) return Math.round(Number(m[1]) / 102.4) / 10;
  } catch (err) {
    // not Linux: fall through
  }
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}

function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node parse.js FILE');
    return 2;
  }
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const edi = fs.readFileSync(file, 'utf8');
  const t1 = process.hrtime.bigint();
  const parsed = new X12Parser(true).parse(edi);
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const interchanges = parsed.interchanges !== undefined ? parsed.interchanges : [parsed];
  let segments = 0;
  let groups = 0;
  let transactions = 0;
  for (const interchange of interchanges) {
    segments += 2; // ISA, IEA
    for (const group of interchange.functionalGroups) {
      groups += 1;
      segments += 2; // GS, GE
      for (const tx of group.transactions) {
        transactions += 1;
        segments += tx.segments.length + 2; // ST, SE
      }
    }
  }
  const seconds = Number(t2 - t0) / 1e9;
  console.log(JSON.stringify({
    tool: `node-x12 ${pkg.version} X12Parser(strict)`,
    node: process.version,
    segments,
    transactions,
    groups,
    interchanges: interchanges.length,
    seconds: Math.round(seconds * 1e4) / 1e4,
    cpu_seconds_timed: Math.round((cpu.user + cpu.system) / 100) / 1e4,
    read_seconds: Math.round(Number(t1 - t0) / 1e5) / 1e4,
    parse_seconds: Math.round(Number(t2 - t1) / 1e5) / 1e4,
    segments_per_s: Math.round((segments / seconds) * 10) / 10,
    errors: 0,
    peak_rss_mb: peakRssMb(),
  }));
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.log(JSON.stringify({ error: String(err && err.stack ? err.stack : err) }));
  process.exitCode = 1;
}
