#!/usr/bin/env python3
"""Integration test: a real Prometheus scrapes sentistream's metrics endpoint.

  prometheus_test.py --bin build/release/pipeline/sentistream {replay,live}

Starts Debian's `prometheus` on 127.0.0.1 with a generated config (scrape_interval 1s,
one target: sentistream's metrics port, storage in a temporary directory), runs a
workload with --metrics-listen, and asks Prometheus's HTTP API that
  - the target is up (/api/v1/targets),
  - sum(sentistream_posts_parsed_total) equals the number of posts the workload fed,
  - sum(sentistream_posts_rejected_total{reason="invalid_json"}) equals its broken lines,
  - sentistream_build_info is 1;
and checks a real scrape with `promtool check metrics`, plus /healthz and /readyz.

Workloads (a driver starts it and returns what Prometheus must see):
  replay  `sentistream replay` reading a FIFO that stays open until Prometheus has seen
          every post, so the process is alive for the scrapes. Always runs.
  live    `sentistream run` against the Kafka test broker; exits 77 (skipped) when
          SENTISTREAM_KAFKA_BOOTSTRAP is unset.
Exits 77 as well when the prometheus or promtool binary is missing (scripts/setup
installs them).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

SKIP = 77
SCRAPE_TIMEOUT_S = 90


class Fail(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 5):
    """(status, body bytes); HTTP errors are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_until(what: str, fn, timeout: float = SCRAPE_TIMEOUT_S, proc=None):
    """Polls fn() until it returns a truthy value; raises Fail naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Fail(f"{what}: the process exited early with status {proc.returncode}")
        try:
            last = fn()
            if last:
                return last
        except (OSError, ValueError) as e:  # not listening yet, or a partial answer
            last = e
        time.sleep(0.25)
    raise Fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def make_posts(n: int, broken_every: int = 97):
    """n canonical posts (deterministic, in time order) plus a broken line every
    `broken_every` posts. Returns (lines, number of broken lines)."""
    texts = ["the glory of made-in-China", "not good at all", "what a great day!!",
             "厉害了我的国", "这个产品很差劲", "国产替代加油"]
    lines, broken = [], 0
    for i in range(n):
        zh = i % 2 == 1
        lines.append(json.dumps({
            "id": str(i), "platform": "weibo" if zh else "twitter", "lang": "zh" if zh else "en",
            "created_at": f"2025-01-27T10:{i // 60 % 60:02d}:{i % 60:02d}Z",
            "text": texts[i % len(texts)], "author_id": f"a{i % 13}"}, ensure_ascii=False))
        if i % broken_every == broken_every - 1:
            lines.append('{"id": "broken", ')
            broken += 1
    return lines, broken


# ---- workloads ----------------------------------------------------------------------------

class ReplayDriver:
    """`sentistream replay` over a FIFO held open until stop(): the process stays alive, and
    --batch-docs 1 makes every line its own batch, so nothing waits for a batch to fill."""

    name = "replay"

    def __init__(self, binary: str, work: Path) -> None:
        self.bin = binary
        self.work = work
        self.proc = None
        self.fifo = None
        self.writer = None

    def start(self, metrics_port: int):
        """Starts the workload; returns (process, expected posts parsed, expected broken)."""
        lines, broken = make_posts(400)
        fifo_path = self.work / "posts.fifo"
        os.mkfifo(fifo_path)
        self.proc = subprocess.Popen(
            [self.bin, "replay", "--batch-docs", "1", "--output", str(self.work / "out.jsonl"),
             "--summary", str(self.work / "summary.json"), "--metrics-listen",
             f"127.0.0.1:{metrics_port}", "--log-format", "json", str(fifo_path)],
            stderr=open(self.work / "sentistream.log", "wb"))
        # open() of a FIFO blocks until the reader opens it: do it beside the process.
        opened = threading.Event()

        def feed():
            self.writer = open(fifo_path, "w", encoding="utf-8")
            self.writer.write("\n".join(lines) + "\n")
            self.writer.flush()
            opened.set()

        threading.Thread(target=feed, daemon=True).start()
        if not opened.wait(30):
            raise Fail("replay never opened its input FIFO")
        return self.proc, len(lines) - broken, broken

    def stop(self) -> None:
        """Ends the input; replay must then finish normally (exit 0)."""
        if self.writer:
            self.writer.close()
        rc = self.proc.wait(timeout=60)
        if rc != 0:
            raise Fail(f"replay exited with {rc}: {(self.work / 'sentistream.log').read_text()}")
        summary = json.loads((self.work / "summary.json").read_text())
        print(f"replay summary: posts_parsed={summary['posts_parsed']} "
              f"rejected={summary['rejected_total']}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class LiveDriver:
    """`sentistream run` consuming a fresh topic of the Kafka test broker."""

    name = "live"

    def __init__(self, binary: str, work: Path) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import kafka_util as ku  # noqa: E402  (only needed, and importable, for live)
        self.ku = ku
        self.bootstrap = ku.bootstrap_or_skip()
        self.bin = binary
        self.work = work
        self.proc = None
        self.topic = None

    def start(self, metrics_port: int):
        lines, broken = make_posts(400)
        self.topic = self.ku.unique_topic("prom")
        self.ku.create_topic(self.bootstrap, self.topic, 2)
        posts = self.work / "posts.ndjson"
        posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # `produce` sends one message per document it can frame; broken lines still are
        # one message each, which run must reject as invalid_json.
        p = self.ku.run([self.bin, "produce", "--brokers", self.bootstrap, "--topic",
                         self.topic, "--", str(posts)])
        if p.returncode != 0:
            raise Fail(f"produce failed with {p.returncode}")
        cfg = self.work / "run.toml"
        cfg.write_text(f"""
[kafka]
topics = ["{self.topic}"]
idle_timeout = "1s"
[checkpoint]
dir = "{self.work / 'state'}"
[output]
path = "{self.work / 'out.jsonl'}"
[metrics]
listen = "127.0.0.1:{metrics_port}"
[kafka.consumer]
"bootstrap.servers" = "{self.bootstrap}"
"group.id" = "g-{self.topic}"
""", encoding="utf-8")
        self.proc = subprocess.Popen([self.bin, "run", "--config", str(cfg)],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.work / "sentistream.log", "wb"))
        return self.proc, len(lines) - broken, broken

    def stop(self) -> None:
        self.proc.terminate()
        rc = self.proc.wait(timeout=90)
        if rc != 0:
            raise Fail(f"run exited with {rc} after SIGTERM")
        self.ku.delete_topic(self.bootstrap, self.topic)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---- Prometheus ---------------------------------------------------------------------------

class Prometheus:
    def __init__(self, work: Path, target_port: int) -> None:
        self.port = free_port()
        self.work = work
        cfg = work / "prometheus.yml"
        cfg.write_text(f"""
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sentistream
    static_configs:
      - targets: ["127.0.0.1:{target_port}"]
""", encoding="utf-8")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={work / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=open(work / "prometheus.log", "wb"))

    def api(self, path: str, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, body = http_get(url)
        if status != 200:
            raise ValueError(f"{url}: HTTP {status}")
        answer = json.loads(body)
        if answer.get("status") != "success":
            raise ValueError(f"{url}: {answer}")
        return answer["data"]

    def query(self, expr: str):
        """Value of an instant query returning one sample, or None when it has none."""
        result = self.api("query", query=expr)["result"]
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---- the test -----------------------------------------------------------------------------

def run_test(driver, work: Path) -> None:
    metrics_port = free_port()
    proc, expected_posts, expected_broken = driver.start(metrics_port)
    base = f"http://127.0.0.1:{metrics_port}"
    wait_until("/healthz", lambda: http_get(base + "/healthz")[0] == 200, 60, proc)
    prom = Prometheus(work, metrics_port)
    try:
        def target_up():
            targets = prom.api("targets")["activeTargets"]
            return any(t["health"] == "up" and t["scrapeUrl"].startswith(base) for t in targets)

        wait_until("Prometheus to report the target up", target_up, proc=prom.proc)
        wait_until(
            f"sum(sentistream_posts_parsed_total) == {expected_posts}",
            lambda: prom.query("sum(sentistream_posts_parsed_total)") == expected_posts,
            proc=prom.proc)
        print(f"Prometheus: target up, sum(sentistream_posts_parsed_total) = {expected_posts}")
        wait_until(
            "invalid_json rejects",
            lambda: prom.query('sum(sentistream_posts_rejected_total{reason="invalid_json"})')
            == expected_broken, proc=prom.proc)
        scored = prom.query("sum(sentistream_posts_scored_total)")
        if scored != expected_posts:
            raise Fail(f"sum(posts_scored_total) = {scored}, expected {expected_posts}")
        if prom.query("sentistream_build_info") != 1:
            raise Fail("sentistream_build_info is not 1")
        if not prom.query("sum(sentistream_windows_emitted_total)"):
            raise Fail("no windows_emitted_total samples")

        status, text = http_get(base + "/metrics")
        if status != 200:
            raise Fail(f"/metrics answered {status}")
        lint = subprocess.run(["promtool", "check", "metrics"], input=text,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if lint.returncode != 0:
            raise Fail("promtool check metrics:\n" + lint.stdout.decode(errors="replace"))
        families = sum(1 for line in text.decode().splitlines() if line.startswith("# TYPE "))
        print(f"promtool check metrics: ok ({families} families, {len(text)} bytes)")
        status, body = http_get(base + "/readyz")
        if status != 200:
            raise Fail(f"/readyz answered {status}: {body!r}")
        status, body = http_get(base + "/healthz")
        if (status, body) != (200, b"ok\n"):
            raise Fail(f"/healthz answered {status}: {body!r}")
        driver.stop()
    finally:
        prom.stop()
        driver.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("workload", choices=["replay", "live"])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not found (scripts/setup installs Debian's prometheus)",
                  file=sys.stderr)
            return SKIP
    work = Path(tempfile.mkdtemp(prefix="sentistream-prom-"))
    try:
        driver = (ReplayDriver if args.workload == "replay" else LiveDriver)(args.bin, work)
        run_test(driver, work)
        print(f"{args.workload}: ok")
        return 0
    except Fail as e:
        print(f"FAIL: {e}", file=sys.stderr)
        for log in ("sentistream.log", "prometheus.log"):
            path = work / log
            if path.exists():
                print(f"--- {log} (tail)\n{path.read_text(errors='replace')[-3000:]}",
                      file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
