#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, aborting on the first report)
# into build/fuzz and runs each for a bounded time. Fails on any crash, sanitizer report,
# timeout or out-of-memory.
#
#   tests/fuzz/run.sh                 fuzz_score and fuzz_parse, 60 s each
#   SENTISTREAM_FUZZ_SECONDS=600 tests/fuzz/run.sh fuzz_parse
#
# Seeds are gathered at run time from examples/ and ../shared/data/samples (when present)
# into build/fuzz/corpus/<target>; nothing is committed. Needs clang and libFuzzer
# (scripts/setup installs clang-14 and libclang-rt-14-dev).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="$repo/build/fuzz"
seconds="${SENTISTREAM_FUZZ_SECONDS:-60}"
targets=("$@")
((${#targets[@]})) || targets=(fuzz_score fuzz_parse)

cc=$(command -v clang-14 || command -v clang || true)
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [[ -z $cc || -z $cxx ]]; then
  echo "fuzz: clang not found; run scripts/setup" >&2
  exit 2
fi

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=$cc CXX=$cxx cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSENTISTREAM_BUILD_TESTS=ON -DSENTISTREAM_BUILD_BENCH=OFF -DSENTISTREAM_FUZZ=ON \
    -DSENTISTREAM_SANITIZE=address,undefined \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null
fi
cmake --build "$build" --target "${targets[@]}" -j "${SENTISTREAM_FUZZ_JOBS:-2}"

# Seeds: every line of the example dump and of the sample files, one file per line (the
# parser also gets whole files); the scorer gets the same lines (JSON text is text too).
seed_dirs=("$repo/examples" "$repo/../shared/data/samples")
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  n=0
  for d in "${seed_dirs[@]}"; do
    [[ -d $d ]] || continue
    while IFS= read -r -d '' f; do
      if [[ $t == fuzz_parse ]]; then
        cp "$f" "$corpus/file-$n"
        n=$((n + 1))
      fi
      while IFS= read -r line && ((n < 2000)); do
        if [[ $t == fuzz_score ]]; then
          # control byte (language hint, explain) then the text
          printf '\x0%d%s' $((n % 8)) "$line" >"$corpus/line-$n"
        else
          printf '%s' "$line" >"$corpus/line-$n"
        fi
        n=$((n + 1))
      done <"$f"
    done < <(find "$d" -type f \( -name '*.json' -o -name '*.ndjson' -o -name '*.jsonl' \) -print0)
  done
  echo "fuzz: $t: $n seeds, ${seconds}s" >&2
  log="$build/$t.log"
  export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  if "$build/tests/fuzz/$t" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/$t-" >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $t: ok, $execs runs, $speed exec/s" >&2
  else
    echo "fuzz: $t: FAILED (log: $log); last lines:" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit $status
