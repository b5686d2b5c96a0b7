#!/usr/bin/env bash
# Whole-pipeline benchmark: `sentistream replay` over generated dumps.
#
# Generates (once per corpus directory) 1,000,000 canonical posts (en+zh) and 200,000
# Twitter v1.1 statuses, runs
#   sentistream replay --threads N --quiet --output /dev/null --summary S INPUT
# at each thread count, several runs each, and prints the medians of posts/s, MB/s, wall
# seconds and peak RSS. Then the memory-flatness check: peak RSS replaying 1M vs 3M
# canonical posts (the window state and buffers must not grow with the input length).
#
# Usage: bench/replay_bench.sh [--bin PATH] [--runs N] [--threads "1 2"] [--quick]
#                              [--no-flatness] [--results FILE]
#   --bin      sentistream binary (default build/release/pipeline/sentistream)
#   --runs     runs per configuration (default 5)
#   --threads  thread counts to try (default "1 2")
#   --quick    10x smaller corpora, for a smoke test of the script itself
#   --results  also append one JSON object per configuration to FILE
# Environment: SENTISTREAM_BENCH_CORPUS_DIR keeps the corpora between runs (default: a
# temporary directory removed at exit); PYTHON (default python3) runs gen_corpus.py.
# Peak RSS comes from /usr/bin/time -v; without it, from wait4()'s ru_maxrss (the same
# kernel high-water mark as VmHWM in /proc/PID/status) via a small Python wrapper;
# REPLAY_BENCH_RSS_TOOL=wait4 forces the latter.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/release/pipeline/sentistream"
runs=5
threads="1 2"
quick=0
flatness=1
results=""
python=${PYTHON:-python3}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-flatness) flatness=0; shift ;;
    --results) results=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "replay_bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ ! -x "$bin" ]]; then
  echo "replay_bench: $bin not found or not executable." >&2
  echo "  build it: cmake --preset release && cmake --build --preset release" >&2
  exit 2
fi

if [[ -n "${SENTISTREAM_BENCH_CORPUS_DIR:-}" ]]; then
  corpus_dir=$SENTISTREAM_BENCH_CORPUS_DIR
  mkdir -p "$corpus_dir"
else
  corpus_dir=$(mktemp -d "${TMPDIR:-/tmp}/sentistream-replay-XXXXXX")
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sentistream-replay-runs-XXXXXX")
trap 'rm -rf "$work"; [[ -n "${SENTISTREAM_BENCH_CORPUS_DIR:-}" ]] || rm -rf "$corpus_dir"' EXIT

scale=1
[[ $quick == 1 ]] && scale=10
n_canon=$((1000000 / scale))
n_canon_big=$((3000000 / scale))
n_v1=$((200000 / scale))

# gen NAME ARGS...: generate $corpus_dir/NAME unless present. The file name encodes the
# arguments and a checksum of gen_corpus.py, so a changed generator never reuses old files.
gen_tag=g$(cksum <"$here/gen_corpus.py" | cut -d' ' -f1)
gen() {
  local name=${1%.ndjson}.$gen_tag.ndjson; shift
  local path="$corpus_dir/$name"
  if [[ ! -s "$path" ]]; then
    "$python" "$here/gen_corpus.py" "$@" -o "$path.partial" >&2
    mv "$path.partial" "$path"
  fi
  echo "$path"
}

rss_tool=${REPLAY_BENCH_RSS_TOOL:-}  # "time" or "wait4"; default: time when installed
if [[ -z "$rss_tool" ]]; then
  if [[ -x /usr/bin/time ]]; then rss_tool=time; else rss_tool=wait4; fi
fi

# run_once OUT_JSON INPUT THREADS: one replay; writes
# {"max_rss_kb":N,"cpu_s":user+sys seconds,"summary":{...}}.
run_once() {
  local out=$1 input=$2 n=$3
  local summary="$work/summary.json" timelog="$work/time.log"
  rm -f "$summary" "$timelog"
  local cmd=("$bin" replay --threads "$n" --quiet --output /dev/null --summary "$summary"
             "$input")
  local rss cpu
  if [[ $rss_tool == time ]]; then
    /usr/bin/time -v -o "$timelog" "${cmd[@]}" || {
      echo "replay_bench: run failed: ${cmd[*]}" >&2; return 1; }
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timelog")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$timelog")
  else
    read -r rss cpu < <("$python" -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
print(ru.ru_maxrss, ru.ru_utime + ru.ru_stime)  # kB on Linux, seconds
sys.exit(os.waitstatus_to_exitcode(status))' "${cmd[@]}") || true
    if [[ -z "${cpu:-}" ]]; then
      echo "replay_bench: run failed: ${cmd[*]}" >&2; return 1
    fi
  fi
  if [[ ! -s "$summary" ]]; then
    echo "replay_bench: no summary written by: ${cmd[*]}" >&2
    return 1
  fi
  printf '{"max_rss_kb":%s,"cpu_s":%s,"summary":%s}\n' "$rss" "$cpu" "$(head -n1 "$summary")" \
    >"$out"
}

# bench LABEL INPUT EXPECTED_POSTS THREADS RUNS: runs and prints one table row.
bench() {
  local label=$1 input=$2 expected=$3 n=$4 k=$5
  local runs_file="$work/runs-$label-$n.jsonl"
  : >"$runs_file"
  for ((r = 1; r <= k; r++)); do
    run_once "$work/one.json" "$input" "$n"
    cat "$work/one.json" >>"$runs_file"
  done
  "$python" - "$label" "$n" "$expected" "$(stat -c %s "$input")" "$(nproc)" "$runs_file" \
    "${results:-}" <<'EOF'
import json, statistics, sys
label, n, expected, size, cores, runs_file, results = sys.argv[1:8]
n, expected, size, cores = int(n), int(expected), int(size), int(cores)
runs = [json.loads(l) for l in open(runs_file) if l.strip()]
def med(f):
    return statistics.median(f(r) for r in runs)
s0 = runs[0]["summary"]
pps = med(lambda r: r["summary"]["posts_per_second"])
secs = med(lambda r: r["summary"]["seconds"])
mbs = med(lambda r: r["summary"].get("mb_per_second", size / 1e6 / max(r["summary"]["seconds"], 1e-9)))
rss = med(lambda r: r["max_rss_kb"]) / 1024
spread = (max(r["summary"]["posts_per_second"] for r in runs) -
          min(r["summary"]["posts_per_second"] for r in runs)) / max(pps, 1)
used = min(n, cores)
# Posts per CPU-second (user + sys of the whole process): the per-core cost, which other
# processes competing for the cores do not dilute the way they dilute wall-clock rates.
ppcpu = med(lambda r: r["summary"]["posts_parsed"] / max(r["cpu_s"], 1e-9))
print("%-12s %9d %6.0f %3d %4d %11.0f %11.0f %11.0f %7.1f %7.3f %7.1f %6.1f%%" % (
    label, expected, size / 1e6, n, len(runs), pps, pps / used, ppcpu, mbs, secs, rss,
    100 * spread), flush=True)
parsed = s0.get("posts_parsed")
if parsed is not None and parsed != expected:
    print("  WARNING: posts_parsed=%s, generated %d (read=%s, rejected=%s)" % (
        parsed, expected, s0.get("posts_read"), s0.get("posts_rejected")), flush=True)
if results:
    with open(results, "a") as f:
        f.write(json.dumps({"corpus": label, "posts": expected, "bytes": size, "threads": n,
                            "runs": len(runs), "median_posts_per_second": pps,
                            "median_mb_per_second": mbs, "median_seconds": secs,
                            "median_peak_rss_mb": rss, "median_posts_per_cpu_second": ppcpu,
                            "spread": spread}) + "\n")
EOF
}

echo "replay_bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "replay_bench: binary $bin ($("$bin" --version 2>/dev/null | head -n1 || echo '?'))"
echo "replay_bench: corpora in $corpus_dir, peak RSS via $rss_tool, $runs runs per row"
echo "replay_bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

canon=$(gen "canonical-mixed-$n_canon-s1.ndjson" --format canonical --lang mixed \
  --posts "$n_canon" --seed 1)
v1=$(gen "twitter_v1-mixed-$n_v1-s1.ndjson" --format twitter_v1 --lang mixed \
  --posts "$n_v1" --seed 1)

echo
header() {
  printf '%-12s %9s %6s %3s %4s %11s %11s %11s %7s %7s %7s %7s\n' corpus posts MB thr runs \
    posts/s posts/s/core posts/cpu-s MB/s seconds RSS_MB spread
}
header
for n in $threads; do
  bench "canonical" "$canon" "$n_canon" "$n" "$runs"
done
for n in $threads; do
  bench "twitter_v1" "$v1" "$n_v1" "$n" "$runs"
done
echo "(medians of $runs runs. posts/s/core = posts/s / min(threads, cores), wall clock;"
echo " posts/cpu-s = posts per CPU-second (user+sys) of the process; RSS_MB = peak RSS;"
echo " spread = (max - min) / median of posts/s)"

if [[ $flatness == 1 ]]; then
  big=$(gen "canonical-mixed-$n_canon_big-s1.ndjson" --format canonical --lang mixed \
    --posts "$n_canon_big" --seed 1)
  n_max=$(echo "$threads" | tr ' ' '\n' | sort -n | tail -n1)
  echo
  echo "memory flatness (canonical, threads=$n_max, 3 runs each):"
  header
  bench "canonical" "$canon" "$n_canon" "$n_max" 3 | tee "$work/flat1"
  bench "canonical" "$big" "$n_canon_big" "$n_max" 3 | tee "$work/flat3"
  "$python" - "$work/flat1" "$work/flat3" <<'EOF'
import sys
rows = [open(p).readline().split() for p in sys.argv[1:3]]
posts = [int(r[1]) for r in rows]
rss = [float(r[10]) for r in rows]
ratio = rss[1] / rss[0]
slope = (rss[1] - rss[0]) * 2**20 / (posts[1] - posts[0])
verdict = "flat" if ratio < 1.25 else "GROWS with input length"
print("peak RSS 3x posts / 1x posts = %.1f MB / %.1f MB = %.2f (%+.1f bytes per extra post)"
      " -> %s" % (rss[1], rss[0], ratio, slope, verdict))
EOF
fi
echo "replay_bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
