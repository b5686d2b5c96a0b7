#!/usr/bin/env python3
"""Integration test: `sentistream produce` into a real Kafka broker, read back with kcat.

  produce_test.py --bin build/release/pipeline/sentistream

Needs SENTISTREAM_KAFKA_BOOTSTRAP (exits 77, skipped, without it). Each case uses its own
topic, so cases and test runs never see each other's messages.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kafka_util as ku  # noqa: E402

# Replay with every window closed only at end of input: aggregates then depend only on the
# set of posts, not on their order, which a multi-partition topic does not keep.
# ("--set" takes every value up to the next option: callers put "--" before the inputs.)
ORDER_FREE = ["--set", 'windows.max_out_of_orderness="36500d"']

SAMPLES = [
    "samples/twitter_v1/search_response_statuses.json",
    "samples/twitter_v1/stream_original_format.ndjson",
    "samples/twitter_v2/recent_search_with_users.json",
    "samples/twitter_v2/single_tweet_fields.json",
    "samples/twitter_v2/lookup_one_deleted.json",
    "samples/weibo/mweibo_index_cards.json",
    "samples/weibo/openapi_v2_home_timeline.json",
]


class ProduceTest:
    def __init__(self, binary: str, bootstrap: str, workdir: Path) -> None:
        self.bin = binary
        self.bootstrap = bootstrap
        self.work = workdir
        self.t = ku.Checks()

    # -- helpers ------------------------------------------------------------------------
    def produce(self, topic: str, inputs, *extra: str):
        """Runs produce; returns (exit code, summary dict or None, stderr text)."""
        proc = ku.run([self.bin, "produce", "--brokers", self.bootstrap, "--topic", topic,
                       *extra, "--", *map(str, inputs)])
        err = proc.stderr.decode(errors="replace")
        summary = None
        lines = [line for line in err.splitlines() if line.startswith("{")]
        if lines:
            summary = json.loads(lines[-1])
        return proc.returncode, summary, err

    def replay(self, inputs, *extra: str) -> tuple:
        """Replays inputs; returns (aggregate lines sorted, summary dict)."""
        summary_path = self.work / "summary.json"
        proc = ku.run([self.bin, "replay", "--quiet", "--output", "-", "--summary",
                       str(summary_path), *extra, "--", *map(str, inputs)])
        if proc.returncode != 0:
            raise RuntimeError(f"replay of {inputs} failed with {proc.returncode}")
        return ku.sorted_lines(proc.stdout), json.loads(summary_path.read_text())

    def write_values(self, messages, name: str) -> Path:
        path = self.work / name
        path.write_bytes(b"".join(m.value + b"\n" for m in messages if m.value is not None))
        return path

    def new_topic(self, prefix: str, partitions: int) -> str:
        topic = ku.unique_topic(prefix)
        ku.create_topic(self.bootstrap, topic, partitions)
        return topic

    # -- cases --------------------------------------------------------------------------
    def demo_round_trip(self) -> None:
        """400 posts of mixed formats into 4 partitions: canonical, keyed, same aggregates."""
        t = self.t
        demo = ku.REPO / "examples" / "deepseek_demo.ndjson"
        topic = self.new_topic("produce-demo", 4)
        rc, summary, _ = self.produce(topic, [demo])
        t.check(rc == 0, f"produce exit code {rc}")
        if not t.check(summary is not None, "produce printed a JSON summary"):
            return
        t.check(summary["messages"] == 400, f"summary messages {summary['messages']} == 400")
        t.check(summary["delivery_failures"] == 0, "no delivery failures")
        t.check(summary["partitions"] == 4, "summary names the 4 partitions")

        messages = ku.consume_all(self.bootstrap, topic)
        t.check(len(messages) == 400, f"{len(messages)} messages in the topic, expected 400")
        ids = []
        for m in messages:
            post = json.loads(m.value)
            ids.append(post["id"])
            t.check(m.key is not None and m.key.decode() == post["id"],
                    f"key {m.key!r} is the post id {post['id']!r}")
            t.check({"platform", "created_at", "text"} <= post.keys() and "user" not in post,
                    f"value is a canonical post: {m.value[:80]!r}")
        t.check(len(set(ids)) == 400, "400 distinct post ids")
        t.check(sorted({m.partition for m in messages}) == [0, 1, 2, 3],
                "the keys spread over all 4 partitions")
        # Independent of our parser: the v1.1 statuses' id_str must all be keys.
        v1_ids = set()
        for line in demo.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            if isinstance(doc, dict) and "id_str" in doc and "user" in doc:
                v1_ids.add(doc["id_str"])
        t.check(len(v1_ids) > 100 and v1_ids <= set(ids),
                f"all {len(v1_ids)} Twitter v1.1 ids of the dump are message keys")

        # The canonical values replay to the same aggregates as the original dump.
        values = self.write_values(messages, "demo_from_kafka.ndjson")
        original, original_summary = self.replay([demo], *ORDER_FREE)
        from_kafka, kafka_summary = self.replay([values], *ORDER_FREE)
        t.check(len(original) > 0, "the demo replays to some aggregates")
        t.check(original == from_kafka,
                "aggregates from the topic equal the aggregates of the original dump")
        t.check(kafka_summary["posts_parsed"] == original_summary["posts_parsed"] == 400,
                "400 posts parsed from the dump and from the topic")

    def order_kept_in_one_partition(self) -> None:
        """One partition keeps the input order: replay output is byte-identical."""
        t = self.t
        demo = ku.REPO / "examples" / "deepseek_demo.ndjson"
        topic = self.new_topic("produce-ordered", 1)
        rc, _, _ = self.produce(topic, [demo])
        t.check(rc == 0, f"produce exit code {rc}")
        messages = ku.consume_all(self.bootstrap, topic)
        values = self.write_values(messages, "ordered_from_kafka.ndjson")
        original = ku.run([self.bin, "replay", "--quiet", "--output", "-", str(demo)]).stdout
        from_kafka = ku.run([self.bin, "replay", "--quiet", "--output", "-", str(values)]).stdout
        t.check(len(original) > 0 and original == from_kafka,
                "default-config replay of the single-partition topic is byte-identical")

    def shared_samples(self) -> None:
        """Real API responses (one document, many posts) fan out into one message per post."""
        t = self.t
        if not ku.SHARED_DATA.is_dir():
            print("note: ../shared/data absent, shared-sample case not run", file=sys.stderr)
            return
        inputs = [ku.SHARED_DATA / s for s in SAMPLES]
        topic = self.new_topic("produce-samples", 4)
        rc, summary, _ = self.produce(topic, inputs)
        t.check(rc == 0, f"produce exit code {rc}")
        original, original_summary = self.replay(inputs, *ORDER_FREE)
        posts = original_summary["posts_parsed"]
        messages = ku.consume_all(self.bootstrap, topic)
        keyed = [m for m in messages if m.key is not None]
        t.check(posts > 100 and len(keyed) == posts,
                f"{len(keyed)} keyed messages, one per parsed post ({posts})")
        t.check(summary is not None and summary["posts"] == posts,
                "the summary counts the same posts")
        values = self.write_values(keyed, "samples_from_kafka.ndjson")
        from_kafka, _ = self.replay([values], *ORDER_FREE)
        t.check(original == from_kafka,
                "aggregates from the topic equal the aggregates of the shared samples")

    def bad_documents_sent_raw(self) -> None:
        """Documents the parser rejects go out as they are, without a key (consumer's DLQ)."""
        t = self.t
        good = (b'{"id":"p1","platform":"weibo","created_at":"2025-01-29T10:00:00Z",'
                b'"text":"\xe5\x9b\xbd\xe8\xb4\xa7\xe4\xb9\x8b\xe5\x85\x89"}')
        broken = b'{"id":"p2","platform":"weibo","text":'
        not_post = b'{"delete":{"status":{"id":1}}}'
        path = self.work / "bad.ndjson"
        path.write_bytes(b"\n".join([good, broken, not_post]) + b"\n")
        topic = self.new_topic("produce-bad", 1)
        rc, summary, _ = self.produce(topic, [path])
        t.check(rc == 0, f"rejected documents do not fail produce (exit {rc})")
        t.check(summary is not None and summary["raw_documents"] == 2,
                "summary counts 2 raw documents")
        messages = ku.consume_all(self.bootstrap, topic)
        t.check([m.key for m in messages] == [b"p1", None, None], "only the post has a key")
        t.check([m.value for m in messages[1:]] == [broken, not_post],
                "rejected documents are sent byte for byte")

    def rate_limit(self) -> None:
        """--rate paces the messages: 300 messages at 150/s take at least ~2 s."""
        t = self.t
        path = self.work / "rate.ndjson"
        path.write_text("".join(
            json.dumps({"id": f"r{i}", "platform": "twitter", "lang": "en",
                        "created_at": 1737964800000 + i * 1000, "text": f"post {i}"}) + "\n"
            for i in range(300)))
        topic = self.new_topic("produce-rate", 2)
        rc, summary, _ = self.produce(topic, [path], "--rate", "150", "--key", "none")
        t.check(rc == 0, f"produce exit code {rc}")
        if summary:
            t.check(summary["messages"] == 300, "300 messages delivered")
            t.check(summary["seconds"] >= 1.8,
                    f"300 messages at --rate 150 took {summary['seconds']} s (>= 1.8 expected)")
        messages = ku.consume_all(self.bootstrap, topic)
        t.check(len(messages) == 300 and all(m.key is None for m in messages),
                "--key none: 300 messages without key")

    def delivery_failure(self) -> None:
        """A message the broker refuses (over message.max.bytes) fails the run: exit 1."""
        t = self.t
        path = self.work / "big.ndjson"
        good = '{"id":"p1","platform":"weibo","created_at":"2025-01-29T10:00:00Z","text":"ok"}'
        # Broken JSON, so sent raw: 2 MB, over the broker's default 1 MB message.max.bytes.
        path.write_text(good + "\n" + ('{"broken":"' + "x" * 2_000_000 + "\n") * 2)
        topic = self.new_topic("produce-big", 1)
        rc, summary, err = self.produce(topic, [path])
        t.check(rc == 1, f"delivery failures: exit 1 ({rc})")
        t.check(summary is not None and summary["delivery_failures"] == 2
                and summary["messages"] == 1, f"summary counts 1 delivered, 2 failed: {summary}")
        t.check(err.count("delivery failed: ") == 1 and "2 message(s) failed: " in err,
                "each error kind logged once, then counted")

    def errors(self) -> None:
        t = self.t
        demo = ku.REPO / "examples" / "deepseek_demo.ndjson"
        rc, _, err = self.produce(ku.unique_topic("produce-missing"), [demo])
        t.check(rc == 1 and "create it first" in err, f"missing topic: exit 1 with a hint ({rc})")
        rc, _, _ = self.produce("x", [demo], "--key", "bogus")
        t.check(rc == 2, f"bad --key value: exit 2 ({rc})")
        rc, _, err = self.produce("x", [demo], "--set", "kafka.producer.linger.ms=soon")
        t.check(rc == 2 and "linger.ms" in err, f"bad producer property: exit 2 ({rc})")
        rc, _, err = self.produce("x", [self.work / "no-such-file.ndjson"])
        t.check(rc == 1 and "cannot read" in err, f"missing input: exit 1 ({rc})")

    def run(self) -> None:
        for case in (self.demo_round_trip, self.order_kept_in_one_partition,
                     self.shared_samples, self.bad_documents_sent_raw, self.rate_limit,
                     self.delivery_failure, self.errors):
            print(f"== {case.__name__}", file=sys.stderr)
            case()
        self.t.finish()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="the sentistream binary")
    args = parser.parse_args()
    bootstrap = ku.bootstrap_or_skip()
    with tempfile.TemporaryDirectory(prefix="sentistream-produce-test.") as work:
        ProduceTest(args.bin, bootstrap, Path(work)).run()


if __name__ == "__main__":
    main()
