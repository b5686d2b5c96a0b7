#!/usr/bin/env python3
"""Live mode (`sentistream run`) against a real Apache Kafka broker.

The broker is scripts/kafka-test-broker's (SENTISTREAM_KAFKA_BOOTSTRAP); without it every
case exits 77 (skipped). kcat is the client that feeds topics and reads them back.

What "correct" means here: the aggregates topic, read as a table (the last message per
key wins, which is how a consumer of it upserts), equals `sentistream replay` of the same
posts. The posts are generated in time order with some stragglers and the watermark allows
for them, so no post is late in either mode, and every window but the one holding the
end-of-stream sentinel is closed. One ctest entry per case:

  live_equals_replay   posts keyed over 4 partitions, interleaved event times
  kill9                kill -9 at random moments while posts stream in, restart each time
  broker_restart       the broker is stopped and restarted mid-stream
  poison               malformed messages go to the DLQ topic with their origin
  sigterm              SIGTERM mid-stream: clean exit, offsets committed, restart loses nothing
  quiet_partition      a partition that ends early stops holding the watermark back
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

SKIP = 77
SPECS = ["1m", "5m/1m"]


class Fail(Exception):
    pass


class Ctx:
    def __init__(self, args):
        self.bin = args.bin
        self.source = Path(args.source)
        self.bootstrap = os.environ.get("SENTISTREAM_KAFKA_BOOTSTRAP", "")
        self.tmp = Path(tempfile.mkdtemp(prefix="sentistream-live-"))
        self.procs = []

    def broker(self, *args, check=True):
        return subprocess.run([str(self.source / "scripts" / "kafka-test-broker"), *args],
                              capture_output=True, text=True, check=check, timeout=180)

    def create_topic(self, partitions):
        name = "t-" + uuid.uuid4().hex[:12]
        self.broker("topic", "create", name, str(partitions), "--bootstrap", self.bootstrap)
        return name


# ---- data -------------------------------------------------------------------------------

def gen_posts(ctx, n, seed, name):
    out = ctx.tmp / name
    subprocess.run([sys.executable, str(ctx.source / "bench" / "gen_corpus.py"), "--format",
                    "canonical", "--posts", str(n), "--seed", str(seed), "--rate", "20",
                    "--authors", "2000", "-o", str(out)], check=True, capture_output=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    if len(lines) != n:
        raise Fail(f"gen_corpus wrote {len(lines)} lines, expected {n}")
    return out, lines


def sentinel(i):
    # Far in the future: every partition's watermark passes all real windows.
    return json.dumps({"id": f"sentinel-{i}", "platform": "other",
                       "created_at": "2031-01-01T00:00:00Z", "lang": "en",
                       "text": "end of stream marker"}, ensure_ascii=False)


def kcat_produce(ctx, topic, lines, rate=None, partition=None):
    """Produces lines (key = the post id, or none for non-JSON lines) with kcat."""
    args = ["kcat", "-P", "-b", ctx.bootstrap, "-t", topic, "-K", "\t", "-z", "lz4"]
    if partition is not None:
        args += ["-p", str(partition)]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    chunk = 200
    start = time.monotonic()
    for i in range(0, len(lines), chunk):
        buf = []
        for line in lines[i:i + chunk]:
            m = re.match(r'\{"id":"([^"]+)"', line)
            buf.append((m.group(1) if m else "") + "\t" + line + "\n")
        p.stdin.write("".join(buf).encode("utf-8"))
        if rate:
            due = start + (i + chunk) / rate
            time.sleep(max(0.0, due - time.monotonic()))
    p.stdin.close()
    if p.wait(timeout=120) != 0:
        raise Fail("kcat -P failed: " + p.stderr.read().decode(errors="replace"))


def send_sentinels(ctx, topic, partitions):
    for i in range(partitions):
        kcat_produce(ctx, topic, [sentinel(i)], partition=i)


def kcat_consume(ctx, topic):
    r = subprocess.run(["kcat", "-C", "-b", ctx.bootstrap, "-t", topic, "-e", "-o",
                        "beginning", "-q", "-J"], capture_output=True, timeout=120)
    if r.returncode != 0:
        raise Fail("kcat -C failed: " + r.stderr.decode(errors="replace"))
    return [json.loads(l) for l in r.stdout.decode("utf-8").splitlines() if l.strip()]


def agg_key(a):
    w = a["window"]
    return "|".join([w["spec"], w["start"]] + [f"{k}={v}" for k, v in a["key"].items()])


def table_view(messages):
    """Last value per key (messages of one key share a partition, so offset order holds)."""
    view = {}
    for m in sorted(messages, key=lambda m: (m["partition"], m["offset"])):
        view[m["key"]] = json.loads(m["payload"])
    return view


def replay_view(ctx, config, inputs):
    out = ctx.tmp / ("replay-" + uuid.uuid4().hex[:6] + ".jsonl")
    r = subprocess.run([ctx.bin, "replay", "--config", str(config), "--quiet", "--output",
                        str(out), *map(str, inputs)], capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail("replay failed: " + r.stderr)
    view = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        view[agg_key(a)] = a
    return view


def compare(live, expected, what):
    if live == expected:
        return
    missing = sorted(set(expected) - set(live))
    extra = sorted(set(live) - set(expected))
    diff = [k for k in expected if k in live and live[k] != expected[k]]
    msg = [f"{what}: live table differs from replay: {len(missing)} missing, {len(extra)} "
           f"extra, {len(diff)} different (of {len(expected)})"]
    for k in missing[:3]:
        msg.append(f"  missing {k}")
    for k in extra[:3]:
        msg.append(f"  extra   {k}: {json.dumps(live[k])}")
    for k in diff[:3]:
        msg.append(f"  {k}\n    live:   {json.dumps(live[k])}\n    replay: {json.dumps(expected[k])}")
    raise Fail("\n".join(msg))


def posts_in(view, spec="1m"):
    return sum(a["count"] for a in view.values() if a["window"]["spec"] == spec)


# ---- the service ------------------------------------------------------------------------

def write_config(ctx, topic, name, extra=""):
    state = ctx.tmp / f"state-{name}"
    agg = "agg-" + topic
    dlq = "dlq-" + topic
    cfg = ctx.tmp / f"{name}.toml"
    cfg.write_text(f"""
[pipeline]
shutdown_timeout = "60s"
[windows]
specs = {json.dumps(SPECS)}
group_by = ["platform", "lang"]
max_out_of_orderness = "5m"
[kafka]
topics = ["{topic}"]
idle_timeout = "2s"
aggregates_topic = "{agg}"
dlq_topic = "{dlq}"
[checkpoint]
dir = "{state}"
interval = "300ms"
[output]
path = ""
[metrics]
listen = "off"
[kafka.consumer]
"bootstrap.servers" = "{ctx.bootstrap}"
"group.id" = "g-{topic}-{name}"
# Static membership, as a container deployment would use (pod name): a restarted
# instance takes its partitions back at once instead of waiting out the session.
"group.instance.id" = "i-{name}"
"session.timeout.ms" = "6000"
{extra}
""", encoding="utf-8")
    return cfg, agg, dlq, state


def start_run(ctx, cfg, log_name):
    log = open(ctx.tmp / log_name, "ab")
    p = subprocess.Popen([ctx.bin, "run", "--config", str(cfg), "--threads", "2"], stdout=log,
                         stderr=subprocess.STDOUT)
    ctx.procs.append(p)
    return p


def wait_for_posts(ctx, agg_topic, n, proc=None, timeout=240):
    """Waits until the aggregates table holds exactly n posts per 1m window set."""
    deadline = time.monotonic() + timeout
    got = -1
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Fail(f"sentistream run exited early with status {proc.returncode}")
        view = table_view(kcat_consume(ctx, agg_topic))
        got = posts_in(view)
        if got == n:
            return view
        if got > n:
            raise Fail(f"aggregates count {got} posts, more than the {n} produced (double count)")
        time.sleep(1.0)
    raise Fail(f"timed out: aggregates hold {got} of {n} posts")


def stop(p, sig=signal.SIGTERM, timeout=90):
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Fail(f"sentistream run did not exit within {timeout}s of signal {sig}")


def log_text(ctx, name):
    return (ctx.tmp / name).read_text(encoding="utf-8", errors="replace")


def topic_and_posts(ctx, n, seed, partitions=4):
    topic = ctx.create_topic(partitions)
    path, lines = gen_posts(ctx, n, seed, f"posts-{seed}.ndjson")
    return topic, path, lines


def ensure_topics(ctx, agg, dlq):
    ctx.broker("topic", "create", agg, "2", "--bootstrap", ctx.bootstrap)
    ctx.broker("topic", "create", dlq, "1", "--bootstrap", ctx.bootstrap)


# ---- cases ------------------------------------------------------------------------------

def case_live_equals_replay(ctx):
    topic, path, lines = topic_and_posts(ctx, 20000, 11)
    cfg, agg, dlq, _ = write_config(ctx, topic, "a")
    ensure_topics(ctx, agg, dlq)
    kcat_produce(ctx, topic, lines)
    send_sentinels(ctx, topic, 4)
    p = start_run(ctx, cfg, "a.log")
    view = wait_for_posts(ctx, agg, len(lines), p)
    if stop(p) != 0:
        raise Fail("run exited nonzero after SIGTERM:\n" + log_text(ctx, "a.log")[-3000:])
    compare(view, replay_view(ctx, cfg, [path]), "live_equals_replay")
    # Posts really were spread over partitions with interleaved event times.
    parts = {m["partition"] for m in kcat_consume(ctx, topic)}
    if len(parts) != 4:
        raise Fail(f"posts landed in partitions {parts}, expected all 4")
    print(f"live_equals_replay: {len(view)} aggregates identical to replay")


def case_kill9(ctx):
    topic, path, lines = topic_and_posts(ctx, 60000, 12)
    cfg, agg, dlq, _ = write_config(ctx, topic, "k")
    ensure_topics(ctx, agg, dlq)
    producer = threading.Thread(target=kcat_produce, args=(ctx, topic, lines, 1500))
    producer.start()
    rng = random.Random(20251128)
    kills = 0
    while producer.is_alive() and kills < 6:
        p = start_run(ctx, cfg, "k.log")
        time.sleep(rng.uniform(2.0, 7.0))
        if p.poll() is not None:
            raise Fail("run exited on its own:\n" + log_text(ctx, "k.log")[-3000:])
        p.kill()  # SIGKILL: no shutdown path runs
        p.wait()
        kills += 1
    producer.join()
    send_sentinels(ctx, topic, 4)
    p = start_run(ctx, cfg, "k.log")
    view = wait_for_posts(ctx, agg, len(lines), p)
    stop(p)
    compare(view, replay_view(ctx, cfg, [path]), "kill9")
    if kills < 3:
        raise Fail(f"only {kills} kills happened before the producer finished")
    print(f"kill9: {kills} kill -9 restarts; {len(view)} aggregates identical to replay")


def case_broker_restart(ctx):
    topic, path, lines = topic_and_posts(ctx, 20000, 13)
    cfg, agg, dlq, _ = write_config(ctx, topic, "b")
    ensure_topics(ctx, agg, dlq)
    half = len(lines) // 2
    kcat_produce(ctx, topic, lines[:half])
    p = start_run(ctx, cfg, "b.log")
    # Wait until some aggregates are out, then take the broker away for a while.
    deadline = time.monotonic() + 120
    while not kcat_consume(ctx, agg):
        if time.monotonic() > deadline:
            raise Fail("no aggregates before the broker restart")
        time.sleep(0.5)
    port = ctx.bootstrap.rsplit(":", 1)[1]
    ctx.broker("stop", "--keep-data", "--port", port)
    time.sleep(5)
    ctx.broker("start", "--port", port)
    kcat_produce(ctx, topic, lines[half:])
    send_sentinels(ctx, topic, 4)
    view = wait_for_posts(ctx, agg, len(lines), p)
    if stop(p) != 0:
        raise Fail("run exited nonzero:\n" + log_text(ctx, "b.log")[-3000:])
    compare(view, replay_view(ctx, cfg, [path]), "broker_restart")
    print(f"broker_restart: {len(view)} aggregates identical to replay")


def case_poison(ctx):
    topic, path, lines = topic_and_posts(ctx, 5000, 14, partitions=3)
    cfg, agg, dlq, _ = write_config(ctx, topic, "p")
    ensure_topics(ctx, agg, dlq)
    poison = ['{"id":"p1","text":', 'not json at all', '{"id":"p3","platform":"twitter"}',
              '[1,2,3]', '{"id":"p5","created_at":"yesterday","text":"hi"}']
    mixed = []
    for i, line in enumerate(lines):
        mixed.append(line)
        if i % 1000 == 500:
            mixed.append(poison[(i // 1000) % len(poison)])
    n_poison = len(mixed) - len(lines)
    kcat_produce(ctx, topic, mixed)
    send_sentinels(ctx, topic, 3)
    p = start_run(ctx, cfg, "p.log")
    view = wait_for_posts(ctx, agg, len(lines), p)
    # One DLQ message per bad message; an API-response-like array with several bad
    # entries adds header-only messages (raw_omitted) for the entries after the first.
    def headers_of(letter):
        h = letter.get("headers") or []
        return dict(zip(h[0::2], h[1::2]))

    def firsts(letters):
        return [l for l in letters if headers_of(l).get("raw_omitted") == "false"]

    deadline = time.monotonic() + 60
    letters = []
    while len(firsts(letters)) < n_poison and time.monotonic() < deadline:
        letters = kcat_consume(ctx, dlq)
        time.sleep(0.5)
    stop(p)
    if len(firsts(letters)) != n_poison:
        raise Fail(f"DLQ topic holds {len(firsts(letters))} messages with bytes, expected "
                   f"{n_poison}")
    seen_origins = set()
    by_pos = {(m["partition"], m["offset"]): m for m in kcat_consume(ctx, topic)}
    for letter in letters:
        headers = headers_of(letter)
        for need in ("reason", "source_topic", "source_partition", "source_offset"):
            if need not in headers:
                raise Fail(f"DLQ message lacks header {need}: {letter}")
        if headers["source_topic"] != topic:
            raise Fail(f"DLQ source_topic {headers['source_topic']} != {topic}")
        origin = (int(headers["source_partition"]), int(headers["source_offset"]))
        if headers["raw_omitted"] == "true":
            if origin not in seen_origins or letter["payload"] is not None:
                raise Fail(f"header-only DLQ message without an earlier full one: {letter}")
            continue
        seen_origins.add(origin)
        src = by_pos.get(origin)
        if src is None or src["payload"] != letter["payload"]:
            raise Fail(f"DLQ payload is not the original message at its origin: {letter}")
        if headers["reason"] not in ("invalid_json", "not_a_post", "missing_text",
                                     "bad_timestamp"):
            raise Fail(f"unexpected reason {headers['reason']}")
    compare(view, replay_view(ctx, cfg, [path]), "poison")
    print(f"poison: {n_poison} poison messages in the DLQ with origin; "
          f"{len(lines)} good posts all counted")


def metric(port, name):
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_sigterm(ctx):
    topic, path, lines = topic_and_posts(ctx, 40000, 15)
    cfg, agg, dlq, state = write_config(ctx, topic, "s")
    ensure_topics(ctx, agg, dlq)
    producer = threading.Thread(target=kcat_produce, args=(ctx, topic, lines, 8000))
    producer.start()
    p = start_run(ctx, cfg, "s.log")
    time.sleep(2.5)
    t0 = time.monotonic()
    rc = stop(p, signal.SIGTERM, timeout=90)
    took = time.monotonic() - t0
    log = log_text(ctx, "s.log")
    if rc != 0:
        raise Fail(f"SIGTERM exit status {rc}:\n{log[-3000:]}")
    if "final checkpoint committed" not in log:
        raise Fail("no 'final checkpoint committed' in the log:\n" + log[-3000:])
    m = re.search(r"posts_parsed[=\":]+(\d+)", log[log.rfind("stopped cleanly"):])
    if not m:
        raise Fail("no posts_parsed in the shutdown line:\n" + log[-2000:])
    first = int(m.group(1))
    producer.join()
    if not 0 < first < len(lines):
        raise Fail(f"SIGTERM was not mid-stream: {first} of {len(lines)} posts parsed")
    # Offsets were committed: a new instance of the group without the state directory
    # starts exactly where the first one stopped.
    port = free_port()
    cfg2, _, _, _ = write_config(ctx, topic, "s2", extra="")
    # The probe must not commit (it would move the group past the original instance's
    # state): no checkpoint within its lifetime, and SIGKILL instead of a clean stop.
    text = cfg2.read_text().replace(f'g-{topic}-s2', f'g-{topic}-s').replace(
        'listen = "off"', f'listen = "127.0.0.1:{port}"').replace(
        f'aggregates_topic = "{agg}"', f'aggregates_topic = "{agg}-probe"').replace(
        'interval = "300ms"', 'interval = "1h"').replace('"i-s2"', '"i-s"')
    cfg2.write_text(text)
    ctx.broker("topic", "create", f"{agg}-probe", "1", "--bootstrap", ctx.bootstrap)
    p2 = start_run(ctx, cfg2, "s2.log")
    deadline = time.monotonic() + 120
    second = -1
    stable_since = None
    while time.monotonic() < deadline:
        time.sleep(1)
        try:
            v = metric(port, "sentistream_posts_parsed_total")
        except OSError:
            continue
        if v != second:
            second, stable_since = v, time.monotonic()
        elif second > 0 and time.monotonic() - stable_since > 4:
            break
    stop(p2, signal.SIGKILL)
    if int(second) != len(lines) - first:
        raise Fail(f"restart from committed offsets parsed {second}, expected "
                   f"{len(lines) - first} (= {len(lines)} - {first} before SIGTERM)")
    # And the original instance, restarted with its state, completes exactly.
    send_sentinels(ctx, topic, 4)
    p3 = start_run(ctx, cfg, "s.log")
    view = wait_for_posts(ctx, agg, len(lines), p3)
    stop(p3)
    compare(view, replay_view(ctx, cfg, [path]), "sigterm")
    print(f"sigterm: clean exit in {took:.1f}s after {first} posts; committed offsets resume "
          f"at the next post; restart completes identically to replay")


def case_quiet_partition(ctx):
    # Partition 0 gets only the first posts and then nothing: at its end offset it must
    # stop holding the watermark back (its last messages and the end-of-partition event
    # usually share one batch), so partition 1 alone closes every later window.
    topic = ctx.create_topic(2)
    path, lines = gen_posts(ctx, 6000, 16, "posts-16.ndjson")
    cfg, agg, dlq, _ = write_config(ctx, topic, "q")
    ensure_topics(ctx, agg, dlq)
    kcat_produce(ctx, topic, lines[:800], partition=0)
    kcat_produce(ctx, topic, lines[800:], partition=1)
    kcat_produce(ctx, topic, [sentinel(1)], partition=1)
    p = start_run(ctx, cfg, "q.log")
    view = wait_for_posts(ctx, agg, len(lines), p, timeout=120)
    stop(p)
    compare(view, replay_view(ctx, cfg, [path]), "quiet_partition")
    print(f"quiet_partition: a partition at its end stops holding the watermark; "
          f"{len(view)} aggregates identical to replay")


CASES = {
    "live_equals_replay": case_live_equals_replay,
    "kill9": case_kill9,
    "broker_restart": case_broker_restart,
    "poison": case_poison,
    "sigterm": case_sigterm,
    "quiet_partition": case_quiet_partition,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    ctx = Ctx(args)
    if not ctx.bootstrap:
        print("SENTISTREAM_KAFKA_BOOTSTRAP is not set (start scripts/kafka-test-broker)")
        return SKIP
    try:
        CASES[args.case](ctx)
        return 0
    except Fail as e:
        print(f"FAIL {args.case}: {e}\n(logs in {ctx.tmp})", file=sys.stderr)
        return 1
    finally:
        for p in ctx.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    sys.exit(main())
