#!/usr/bin/env python3
"""VADER throughput: sentistream's engine (bench_vader) against vaderSentiment 3.3.2,
one thread each, on the same texts (tweeteval texts from the shared data folder by
default). Prints texts/s for both and the ratio.

  python3 bench/bench_vader.py --binary build/release/bench/bench_vader [--texts FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "vader"))
import vader_diff  # noqa: E402  (venv handling is shared with the differential test)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True, help="the bench_vader executable")
    ap.add_argument("--texts", help="one text per line (default: shared tweeteval texts)")
    ap.add_argument("--venv", default=vader_diff.default_venv())
    ap.add_argument("--python-seconds", type=float, default=10.0,
                    help="minimum time to run the Python side")
    args = ap.parse_args()

    texts_file = args.texts or os.path.join(HERE, "..", "..", "shared", "data", "labeled",
                                            "tweeteval_val_text.txt")
    if not os.path.exists(texts_file):
        sys.exit("bench_vader: no texts at %s (pass --texts)" % texts_file)
    py = vader_diff.ensure_venv(args.venv)
    pkg = subprocess.run([py, "-c", "import os, vaderSentiment.vaderSentiment as v; "
                          "print(os.path.dirname(v.__file__))"],
                         check=True, capture_output=True, text=True).stdout.strip()
    lex, emoji = os.path.join(pkg, "vader_lexicon.txt"), os.path.join(pkg, "emoji_utf8_lexicon.txt")

    code = r"""
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
a = SentimentIntensityAnalyzer()
texts = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
min_s = float(sys.argv[2])
n, t0 = 0, time.process_time()
while True:
    for t in texts:
        a.polarity_scores(t)
    n += len(texts)
    el = time.process_time() - t0
    if el >= min_s:
        break
print(n / el)
"""
    py_rate = float(subprocess.run([py, "-c", code, texts_file, str(args.python_seconds)],
                                   check=True, capture_output=True, text=True).stdout)
    out = subprocess.run([args.binary, lex, emoji, texts_file], check=True, capture_output=True,
                         text=True).stdout
    cpp = json.loads(out)
    print("texts: %s (%d texts, %.1f bytes/text)" % (texts_file, cpp["texts"],
                                                     cpp["bytes"] / max(cpp["texts"], 1)))
    print("vaderSentiment 3.3.2 (Python %s): %.0f texts/s"
          % (subprocess.run([py, "-c", "import sys; print(sys.version.split()[0])"],
                            capture_output=True, text=True).stdout.strip(), py_rate))
    print("sentistream vader engine:        %.0f texts/s (%.1f MB/s), %d allocations in "
          "measured rounds" % (cpp["texts_per_second"], cpp["mb_per_second"],
                               cpp["allocations_in_measured_rounds"]))
    print("ratio: %.0fx" % (cpp["texts_per_second"] / py_rate))


if __name__ == "__main__":
    main()
