#!/usr/bin/env python3
"""Differential test: `sentistream score --engine vader` against vaderSentiment 3.3.2.

Creates (or reuses) a virtualenv outside the repository with vaderSentiment==3.3.2 from
PyPI, collects texts (every tweet and Weibo text in the shared data folder plus generated
edge cases), scores them with both, and compares the printed values field by field.
Exit 0 when every text agrees, 1 on any mismatch or when the package cannot be installed,
2 on bad usage. VADER's lexicon files are taken from the installed package.

One text per line goes to the binary: a newline inside a text is replaced by a space in
the text given to BOTH sides (VADER treats the two alike except in the emoji spacing rule,
where the result is only extra whitespace), and texts that are not encodable as UTF-8
(lone surrogates from JSON escapes) are skipped and counted.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import edge_cases  # noqa: E402

VERSION = "3.3.2"


def default_venv():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "sentistream", "venv-vader")


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def ensure_venv(venv):
    """Returns the venv's python with vaderSentiment==3.3.2 importable, installing it."""
    py = venv_python(venv)
    probe = [py, "-c", "import vaderSentiment, importlib.metadata as m; "
             "assert m.version('vaderSentiment') == '%s'" % VERSION]
    if os.path.exists(py) and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print("vader_diff: creating %s with vaderSentiment==%s" % (venv, VERSION), flush=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "vaderSentiment==%s" % VERSION])
    if r.returncode != 0 or subprocess.run(probe).returncode != 0:
        sys.exit("vader_diff: cannot install vaderSentiment==%s into %s" % (VERSION, venv))
    return py


def collect_json_texts(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("text", "full_text") and isinstance(v, str):
                out.append(v)
            else:
                collect_json_texts(v, out)
    elif isinstance(node, list):
        for v in node:
            collect_json_texts(v, out)


def shared_texts(shared):
    texts = []
    with open(os.path.join(shared, "labeled", "tweeteval_val_text.txt"), encoding="utf-8") as f:
        texts += [line.rstrip("\n") for line in f]
    with open(os.path.join(shared, "labeled", "weibo_senti_100k_dev.tsv"),
              encoding="utf-8") as f:
        next(f)
        for line in f:
            texts.append(line.rstrip("\n").split("\t", 1)[1])
    for path in sorted(glob.glob(os.path.join(shared, "samples", "*", "*.json*"))):
        with open(path, encoding="utf-8") as f:
            data = f.read()
        docs = []
        try:
            docs.append(json.loads(data))
        except json.JSONDecodeError:
            docs += [json.loads(line) for line in data.splitlines() if line.strip()]
        for d in docs:
            collect_json_texts(d, texts)
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="the sentistream executable")
    ap.add_argument("--shared-data", help="shared data folder (default: <repo>/../shared/data)")
    ap.add_argument("--venv", default=default_venv(), help="virtualenv to create or reuse")
    ap.add_argument("--random", type=int, default=12000, help="generated random sentences")
    ap.add_argument("--show", type=int, default=10, help="mismatches to print")
    args = ap.parse_args()

    py = ensure_venv(args.venv)
    pkg_dir = subprocess.run(
        [py, "-c", "import os, vaderSentiment.vaderSentiment as v; "
         "print(os.path.dirname(v.__file__))"],
        check=True, capture_output=True, text=True).stdout.strip()
    lexicon = os.path.join(pkg_dir, "vader_lexicon.txt")
    emoji = os.path.join(pkg_dir, "emoji_utf8_lexicon.txt")

    shared = args.shared_data or os.path.join(HERE, "..", "..", "..", "shared", "data")
    texts = []
    if os.path.isdir(shared):
        texts += shared_texts(shared)
        n_shared = len(texts)
    else:
        print("vader_diff: no shared data at %s; edge cases only" % shared)
        n_shared = 0
    with open(lexicon, encoding="utf-8") as f:
        lex_words = [line.split("\t")[0] for line in f if "\t" in line]
    with open(emoji, encoding="utf-8") as f:
        emoji_chars = [line.split("\t")[0] for line in f if "\t" in line]
    texts += edge_cases.hand_cases()
    # At least 20,000 texts in all, also where ../shared/data is absent.
    n_random = max(args.random, 20500 - len(texts))
    texts += edge_cases.random_cases(lex_words, emoji_chars, n_random)

    kept, skipped = [], 0
    for t in texts:
        t = t.replace("\n", " ")
        try:
            t.encode("utf-8")
        except UnicodeEncodeError:
            skipped += 1
            continue
        kept.append(t)
    print("vader_diff: %d texts (%d from shared data, %d generated), %d skipped as "
          "not UTF-8 encodable" % (len(kept), n_shared, len(kept) - n_shared + skipped, skipped),
          flush=True)

    # Python side, in the venv: one JSON line per text, values as Python's repr.
    py_code = r"""
import sys, json
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
a = SentimentIntensityAnalyzer()
texts = json.load(sys.stdin)
out = []
for t in texts:
    d = a.polarity_scores(t)
    out.append('{"neg":%r,"neu":%r,"pos":%r,"compound":%r}' % (d["neg"], d["neu"], d["pos"], d["compound"]))
sys.stdout.write("\n".join(out) + "\n")
"""
    t0 = time.perf_counter()
    pr = subprocess.run([py, "-c", py_code], input=json.dumps(kept).encode(),
                        capture_output=True, check=True)
    t_py = time.perf_counter() - t0
    expected = pr.stdout.decode().split("\n")[:-1]

    t0 = time.perf_counter()
    stdin = ("\n".join(kept) + "\n").encode("utf-8")
    br = subprocess.run([args.binary, "score", "--engine", "vader", "--vader-lexicon", lexicon,
                         "--vader-emoji-lexicon", emoji], input=stdin, capture_output=True)
    t_cpp = time.perf_counter() - t0
    if br.returncode != 0:
        sys.stderr.write(br.stderr.decode(errors="replace"))
        sys.exit("vader_diff: sentistream exited with %d" % br.returncode)
    got = br.stdout.decode().split("\n")[:-1]

    if len(got) != len(kept) or len(expected) != len(kept):
        sys.exit("vader_diff: %d texts but %d lines from sentistream, %d from Python"
                 % (len(kept), len(got), len(expected)))
    fields = ["neg", "neu", "pos", "compound"]
    field_bad = {f: 0 for f in fields}
    bad = []
    for i, (e, g) in enumerate(zip(expected, got)):
        if e != g:
            ej, gj = json.loads(e), json.loads(g)
            for f in fields:
                if repr(ej[f]) != repr(gj[f]):
                    field_bad[f] += 1
            bad.append(i)
    print("vader_diff: %d/%d identical; mismatching fields: %s" % (
        len(kept) - len(bad), len(kept), ", ".join("%s %d" % kv for kv in field_bad.items())))
    print("vader_diff: wall time Python %.2fs, sentistream %.2fs (whole processes)"
          % (t_py, t_cpp))
    for i in bad[: args.show]:
        t = kept[i]
        shown = t if len(t) < 300 else t[:300] + "...(%d chars)" % len(t)
        print("  text %d: %r\n    python:      %s\n    sentistream: %s"
              % (i, shown, expected[i], got[i]))
    replay_ok = check_replay(args.binary, lexicon, emoji, kept, expected)
    if bad or not replay_ok:
        return 1
    print("%d passed, 0 failed" % (len(kept) + 1))
    return 0


def check_replay(binary, lexicon, emoji, texts, expected):
    """`replay` with engine vader labels every post as VADER's printed compound says
    (>= 0.05 positive, <= -0.05 negative): the window's label counts must match."""
    posts, want = [], {"positive": 0, "neutral": 0, "negative": 0}
    for i, (t, e) in enumerate(zip(texts, expected)):
        if not t.strip():
            continue  # a post without text is rejected by the parser, not scored
        posts.append(json.dumps({"id": str(i), "platform": "twitter",
                                 "created_at": "2025-01-29T10:00:00Z", "text": t},
                                ensure_ascii=False))
        c = json.loads(e)["compound"]
        want["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "posts.ndjson")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(posts) + "\n")
        r = subprocess.run([binary, "replay", "-q", "-o", "-",
                            "--set", 'score.engine="vader"',
                            "--set", "score.vader_lexicon=%s" % json.dumps(lexicon),
                            "--set", "score.vader_emoji_lexicon=%s" % json.dumps(emoji),
                            "--set", 'windows.specs=["1h"]', path],
                           capture_output=True)
    if r.returncode != 0:
        print("vader_diff: replay failed (%d): %s" % (r.returncode, r.stderr.decode()[-2000:]))
        return False
    got = {"positive": 0, "neutral": 0, "negative": 0}
    count = 0
    for line in r.stdout.decode().splitlines():
        rec = json.loads(line)
        count += rec["count"]
        for k in got:
            got[k] += rec["sentiment"][k]
    ok = got == want and count == len(posts)
    print("vader_diff: replay of %d posts with engine vader: labels %s, expected %s: %s"
          % (len(posts), got, want, "ok" if ok else "MISMATCH"))
    return ok


if __name__ == "__main__":
    sys.exit(main())
