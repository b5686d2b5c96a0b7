#!/usr/bin/env python3
"""Live-mode benchmark against a real broker (scripts/kafka-test-broker start).

  throughput: preloads a topic with N canonical posts (gen_corpus.py), then measures
              (a) the raw consumption rate of that topic by kcat (a bare librdkafka
              consumer, output discarded) and (b) `sentistream run` consuming the same
              topic from the beginning until every post is parsed (read from its
              /metrics), and the ratio b/a. RSS of the run is sampled every second.
  latency:    produces posts whose event time is the wall clock at a fixed rate into a
              4-partition topic while `sentistream run` computes 1s windows; for every
              aggregate, latency = the aggregate message's broker timestamp - window end.
              Reports p50 / p99 / max.

Prints figures; asserts nothing. Example:
  scripts/kafka-test-broker start
  python3 bench/live_bench.py --bin build/release/pipeline/sentistream throughput --posts 1000000
  python3 bench/live_bench.py --bin build/release/pipeline/sentistream latency --seconds 60
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def broker(*args):
    return subprocess.run([str(ROOT / "scripts" / "kafka-test-broker"), *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def create_topic(bootstrap, partitions, prefix):
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    broker("topic", "create", name, str(partitions), "--bootstrap", bootstrap)
    return name


def kcat_produce(bootstrap, topic, lines_iter):
    p = subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-z", "lz4",
                          "-X", "linger.ms=20", "-X", "batch.num.messages=10000"],
                         stdin=subprocess.PIPE)
    for chunk in lines_iter:
        p.stdin.write(chunk)
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("kcat -P failed")


def keyed(lines):
    out = []
    for line in lines:
        m = re.match(r'\{"id":"([^"]+)"', line)
        out.append((m.group(1) if m else "") + "\t" + line + "\n")
    return "".join(out).encode("utf-8")


def metric(port, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
               if l.startswith(name) and not l.startswith("#"))


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def write_config(tmp, bootstrap, topic, port, specs, ooo, agg_topic=""):
    cfg = tmp / "live.toml"
    cfg.write_text(f"""
[windows]
specs = {json.dumps(specs)}
group_by = ["platform", "lang"]
max_out_of_orderness = "{ooo}"
[kafka]
topics = ["{topic}"]
idle_timeout = "5s"
aggregates_topic = "{agg_topic}"
[checkpoint]
dir = "{tmp / 'state'}"
[output]
path = ""
[metrics]
listen = "127.0.0.1:{port}"
[kafka.consumer]
"bootstrap.servers" = "{bootstrap}"
"group.id" = "bench-{uuid.uuid4().hex[:8]}"
""")
    return cfg


def throughput(args, bootstrap, tmp):
    if args.topic:
        topic = args.topic
    else:
        topic = preload(args, bootstrap, tmp)
    measure(args, bootstrap, tmp, topic)


def preload(args, bootstrap, tmp):
    corpus = tmp / "corpus.ndjson"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), "--format",
                    "canonical", "--posts", str(args.posts), "--rate", "1000", "--jobs", "2",
                    "-o", str(corpus)], check=True, capture_output=True)
    topic = create_topic(bootstrap, args.partitions, "bench")
    t0 = time.monotonic()
    with open(corpus, encoding="utf-8") as f:
        def chunks():
            batch = []
            for line in f:
                batch.append(line.rstrip("\n"))
                if len(batch) == 20000:
                    yield keyed(batch)
                    batch = []
            if batch:
                yield keyed(batch)
        kcat_produce(bootstrap, topic, chunks())
    print(f"preload: {args.posts} posts into {topic} ({args.partitions} partitions) in "
          f"{time.monotonic() - t0:.1f}s")
    return topic


def measure(args, bootstrap, tmp, topic):

    raw = []
    for _ in range(args.repeat):
        t0 = time.monotonic()
        r = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e",
                            "-q", "-f", "%s\n"], stdout=subprocess.PIPE, check=True)
        secs = time.monotonic() - t0
        n = r.stdout.count(b"\n")
        raw.append(n / secs)
    raw_rate = statistics.median(raw)
    print(f"raw kcat consumption: median {raw_rate:,.0f} msgs/s over {args.repeat} runs "
          f"({', '.join(f'{x:,.0f}' for x in raw)})")

    live = []
    for i in range(args.repeat):
        port = free_port()
        run_tmp = Path(tempfile.mkdtemp(dir=tmp))
        cfg = write_config(run_tmp, bootstrap, topic, port, ["1m", "1h/5m"], "1m")
        p = subprocess.Popen([args.bin, "run", "--config", str(cfg)], stderr=subprocess.DEVNULL)
        start = None
        rss = []
        done = None
        while p.poll() is None:
            time.sleep(0.2)
            try:
                n = metric(port, "sentistream_messages_consumed_total")
            except OSError:
                continue
            if n > 0 and start is None:
                start = time.monotonic()
            rss.append(rss_kb(p.pid))
            if n >= args.posts:
                done = time.monotonic()
                break
        p.terminate()
        p.wait()
        if start is None or done is None:
            sys.exit("sentistream run did not consume the topic")
        # The first observation is within 0.2 s of the real start; count from launch
        # instead of the first poll to be conservative.
        secs = done - start + 0.2
        live.append(args.posts / secs)
        print(f"  run {i + 1}: {args.posts / secs:,.0f} posts/s; RSS first/middle/last "
              f"{rss[0] // 1024}/{rss[len(rss) // 2] // 1024}/{rss[-1] // 1024} MB")
    live_rate = statistics.median(live)
    print(f"sentistream run: median {live_rate:,.0f} posts/s over {args.repeat} runs")
    print(f"ratio live / raw: {live_rate / raw_rate:.2f}")


def latency(args, bootstrap, tmp):
    topic = create_topic(bootstrap, 4, "lat")
    agg = create_topic(bootstrap, 1, "lat-agg")
    port = free_port()
    cfg = write_config(tmp, bootstrap, topic, port, ["1s"], "0s", agg_topic=agg)
    template = {"platform": "weibo", "lang": "zh", "text": "国产大模型真厉害，赢麻了",
                "author_id": "1", "hashtags": ["DeepSeek"]}
    p = subprocess.Popen([args.bin, "run", "--config", str(cfg)], stderr=subprocess.DEVNULL)
    time.sleep(3)

    def posts():
        n = 0
        start = time.time()
        end = start + args.seconds
        while time.time() < end:
            lines = []
            for _ in range(max(1, args.rate // 100)):
                now = time.time()
                ms = int(now * 1000)
                post = dict(template, id=str(n),
                            created_at=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) +
                            f".{ms % 1000:03d}Z")
                lines.append(json.dumps(post, ensure_ascii=False))
                n += 1
            yield keyed(lines)
            time.sleep(0.01)

    kcat_produce(bootstrap, topic, posts())
    time.sleep(3)
    p.terminate()
    p.wait()
    r = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", agg, "-o", "beginning", "-e", "-q",
                        "-f", "%T\t%s\n"], stdout=subprocess.PIPE, check=True, text=True)
    lat = []
    for line in r.stdout.splitlines():
        ts, value = line.split("\t", 1)
        end = json.loads(value)["window"]["end"]
        end_ms = int(time.mktime(time.strptime(end[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 -
                     time.timezone * 1000)
        lat.append(int(ts) - end_ms)
    lat.sort()
    if not lat:
        sys.exit("no aggregates")
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
    print(f"latency (aggregate published - window end), {len(lat)} windows of 1s at "
          f"{args.rate} posts/s over 4 partitions: p50 {q(0.5)} ms, p99 {q(0.99)} ms, "
          f"max {lat[-1]} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build" / "release" / "pipeline" / "sentistream"))
    ap.add_argument("--bootstrap", default=os.environ.get("SENTISTREAM_KAFKA_BOOTSTRAP",
                                                          "127.0.0.1:9092"))
    sub = ap.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--posts", type=int, default=1_000_000)
    t.add_argument("--partitions", type=int, default=4)
    t.add_argument("--repeat", type=int, default=3)
    t.add_argument("--topic", help="measure an already preloaded topic of --posts posts")
    lt = sub.add_parser("latency")
    lt.add_argument("--seconds", type=int, default=60)
    lt.add_argument("--rate", type=int, default=2000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sentistream-live-bench-"))
    (throughput if args.mode == "throughput" else latency)(args, args.bootstrap, tmp)


if __name__ == "__main__":
    main()
