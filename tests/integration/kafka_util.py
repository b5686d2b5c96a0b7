"""Helpers for integration tests against a real Kafka broker.

The broker comes from scripts/kafka-test-broker (CI starts it in .ci/run and exports
SENTISTREAM_KAFKA_BOOTSTRAP). Topics are created with Kafka's own TopicCommand through that
script; messages are read back with kcat, byte-exact (lengths, not delimiters, frame keys and
values).
"""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

SKIP = 77  # ctest SKIP_RETURN_CODE

REPO = Path(__file__).resolve().parents[2]
BROKER_SCRIPT = REPO / "scripts" / "kafka-test-broker"
SHARED_DATA = REPO.parent / "shared" / "data"


def bootstrap_or_skip() -> str:
    """The broker address from SENTISTREAM_KAFKA_BOOTSTRAP; exits 77 (skip) when unset."""
    address = os.environ.get("SENTISTREAM_KAFKA_BOOTSTRAP", "").strip()
    if not address:
        print("SKIP: SENTISTREAM_KAFKA_BOOTSTRAP is not set (start a broker with "
              "scripts/kafka-test-broker start and export its address)", file=sys.stderr)
        sys.exit(SKIP)
    return address


def unique_topic(prefix: str) -> str:
    """A topic name no other test (or earlier run on the same broker) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_topic(bootstrap: str, name: str, partitions: int,
                 configs: Optional[Dict[str, str]] = None) -> None:
    cmd = [str(BROKER_SCRIPT), "topic", "create", name, str(partitions), "--bootstrap", bootstrap]
    for key, value in (configs or {}).items():
        cmd += ["--config", f"{key}={value}"]
    subprocess.run(cmd, check=True)


def delete_topic(bootstrap: str, name: str) -> None:
    subprocess.run([str(BROKER_SCRIPT), "topic", "delete", name, "--bootstrap", bootstrap],
                   check=True, stdout=subprocess.DEVNULL)


@dataclass
class Message:
    key: Optional[bytes]    # None for a message without key
    value: Optional[bytes]  # None for a tombstone
    headers: bytes          # kcat's "k=v,k2=v2" rendering, b"" when none
    partition: int
    offset: int


# Per message: a header line with partition, offset, key and value lengths (-1 = null),
# then the key and value bytes, then the headers and a newline.
_FORMAT = "%p %o %K %S\\n%k%s%h\\n"


def consume_all(bootstrap: str, topic: str, timeout_s: float = 120) -> List[Message]:
    """Every message of `topic` from the beginning to the current end of each partition."""
    out = subprocess.run(
        ["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", _FORMAT],
        check=True, stdout=subprocess.PIPE, timeout=timeout_s).stdout
    return parse_kcat(out)


def parse_kcat(out: bytes) -> List[Message]:
    messages = []
    pos = 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        partition, offset, key_len, value_len = (int(x) for x in out[pos:eol].split(b" "))
        pos = eol + 1
        key = None
        if key_len >= 0:
            key, pos = out[pos:pos + key_len], pos + key_len
        value = None
        if value_len >= 0:
            value, pos = out[pos:pos + value_len], pos + value_len
        eol = out.index(b"\n", pos)  # headers never contain a newline in our tests
        headers, pos = out[pos:eol], eol + 1
        messages.append(Message(key, value, headers, partition, offset))
    return messages


def run(cmd: List[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs a command, echoing it; raises with its stderr when it fails."""
    print("+ " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
    return proc


class Checks:
    """Counts checks and failures so a test reports every problem, then exits 0 or 1."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", file=sys.stderr)
        return ok

    def finish(self) -> None:
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def split_lines(data: bytes) -> List[bytes]:
    return [line for line in data.split(b"\n") if line.strip()]


def sorted_lines(data: bytes) -> Tuple[bytes, ...]:
    return tuple(sorted(split_lines(data)))
