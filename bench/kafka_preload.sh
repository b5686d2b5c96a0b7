#!/usr/bin/env bash
# Preloads a Kafka topic with canonical posts through `sentistream produce` and prints the
# produce rate. The topic is what live-mode benchmarks consume; bench/kafka_raw_consume.sh
# measures how fast a bare client (kcat) reads it back, the ceiling for live mode.
#
#   bench/kafka_preload.sh [--posts N] [--partitions P] [--topic T] [--input FILE]
#                          [--brokers HOST:PORT] [--bin PATH] [-- produce options...]
#
# Defaults: 1,000,000 posts from bench/gen_corpus.py (canonical, generated once into
# ${TMPDIR:-/tmp}/sentistream-bench/), 4 partitions, a new topic named
# preload-<N>-<random>, the broker from $SENTISTREAM_KAFKA_BOOTSTRAP or 127.0.0.1:9092
# (scripts/kafka-test-broker start), build/release/pipeline/sentistream.
# The last line of stdout is `topic=<name>`.
set -euo pipefail
cd "$(dirname "$0")/.."

posts=1000000
partitions=4
topic=
input=
brokers=${SENTISTREAM_KAFKA_BOOTSTRAP:-127.0.0.1:9092}
bin=build/release/pipeline/sentistream
extra=()
while (($#)); do
  case "$1" in
    --posts) posts=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --topic) topic=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --brokers) brokers=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "kafka_preload.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "kafka_preload.sh: no binary at $bin (build it or pass --bin)" >&2; exit 2; }

if [[ -z $input ]]; then
  corpus_dir=${TMPDIR:-/tmp}/sentistream-bench
  mkdir -p "$corpus_dir"
  input=$corpus_dir/canonical-$posts.ndjson
  if [[ ! -s $input ]]; then
    echo "kafka_preload.sh: generating $posts canonical posts into $input" >&2
    python3 bench/gen_corpus.py --format canonical --posts "$posts" -o "$input.tmp"
    mv "$input.tmp" "$input"
  fi
fi
[[ -n $topic ]] || topic=preload-$posts-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
scripts/kafka-test-broker topic create "$topic" "$partitions" --bootstrap "$brokers"

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
rc=0
"$bin" produce --brokers "$brokers" --topic "$topic" ${extra[@]+"${extra[@]}"} -- "$input" \
  2>"$summary" || rc=$?
cat "$summary" >&2
((rc == 0)) || { echo "kafka_preload.sh: produce failed (exit $rc)" >&2; exit "$rc"; }
python3 - "$summary" "$input" <<'PY'
import json, os, sys
line = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith("{")][-1]
s = json.loads(line)
mb = os.path.getsize(sys.argv[2]) / 1e6
print(f"produce: {s['messages']} messages ({s['bytes'] / 1e6:.0f} MB of values, input {mb:.0f} MB) "
      f"into {s['partitions']} partitions in {s['seconds']:.2f} s = "
      f"{s['messages_per_second']:.0f} messages/s, {s['bytes'] / 1e6 / s['seconds']:.1f} MB/s; "
      f"delivery failures {s['delivery_failures']}")
PY
echo "topic=$topic"
