#!/usr/bin/env bash
# Raw consumption rate of a topic by kcat (librdkafka, no parsing): the ceiling that live
# mode's Kafka source can reach on this machine. Reads the topic from the beginning to its
# end once and prints messages/s.
#
#   bench/kafka_raw_consume.sh --topic T [--brokers HOST:PORT]
#
# The broker defaults to $SENTISTREAM_KAFKA_BOOTSTRAP or 127.0.0.1:9092; preload a topic
# with bench/kafka_preload.sh.
set -euo pipefail

topic=
brokers=${SENTISTREAM_KAFKA_BOOTSTRAP:-127.0.0.1:9092}
while (($#)); do
  case "$1" in
    --topic) topic=$2; shift 2 ;;
    --brokers) brokers=$2; shift 2 ;;
    *) echo "kafka_raw_consume.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ -n $topic ]] || { echo "kafka_raw_consume.sh: --topic is required" >&2; exit 2; }

start=$(date +%s.%N)
count=$(kcat -C -b "$brokers" -t "$topic" -o beginning -e -q | wc -l)
end=$(date +%s.%N)
python3 -c "
import sys
n, t = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2])
print(f'kcat raw consume: {n} messages in {t:.2f} s = {n / t:.0f} messages/s')
" "$count" "$start" "$end"
