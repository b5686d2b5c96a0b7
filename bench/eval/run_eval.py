#!/usr/bin/env python3
"""Quality of sentistream's default engine against published baselines, side by side.

One command, one run, the same rows for every engine:

    bench/eval/run_eval.py [--bin build/release/pipeline/sentistream] [--data ../shared/data/labeled]

- sentistream: `sentistream eval --output report.json` on each set (its own readers).
- vaderSentiment 3.3.2 (English sets), SnowNLP and cnsenti (Chinese sets), from PyPI in a
  cached venv outside the repository (${XDG_CACHE_HOME:-~/.cache}/sentistream/venv-eval);
  the script creates it on first use and re-runs itself inside it.

The baselines read the same files with readers that mirror sentistream's (pipeline/eval.cpp);
the row counts and gold-label counts of both are compared, and the run stops if they differ.
Label mappings are fixed a priori (see MAPPINGS), never tuned on these rows.
Writes bench/eval/REPORT.md (tables, date, commands) unless --report is given.
"""
import argparse
import datetime
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PINS = ["vaderSentiment==3.3.2", "snownlp==0.12.3", "cnsenti==0.0.7"]
CLASSES3 = ["negative", "neutral", "positive"]
CLASSES2 = ["negative", "positive"]

# (key, title, sentistream eval arguments, task, language)
SETS = [
    ("tweeteval", "TweetEval sentiment, validation (en, 3-class, 2,000 tweets)",
     ["--format", "tweeteval", "--labels", "tweeteval_val_labels.txt", "--lang", "en"], "3class",
     "en"),
    ("nlpcc", "NLPCC 2013 Weibo emotion sample, post polarity (zh, 3-class)",
     ["--format", "nlpcc", "--labels", "nlpcc2013_weibo_emotion_sample.xml", "--lang", "zh"],
     "3class", "zh"),
    ("weibo", "weibo_senti_100k dev (zh, 2-class), as is",
     ["--format", "weibo_senti", "--labels", "weibo_senti_100k_dev.tsv", "--lang", "zh"],
     "2class", "zh"),
    ("weibo_strip", "weibo_senti_100k dev (zh, 2-class), [emoticons] removed",
     ["--format", "weibo_senti", "--labels", "weibo_senti_100k_dev.tsv", "--lang", "zh",
      "--strip-emoticons"], "2class", "zh"),
]

MAPPINGS = {
    "sentistream (default)":
        "3-class: the engine's label, compound >= 0.05 positive, <= -0.05 negative, else "
        "neutral (VADER's published thresholds). 2-class: compound >= 0 -> positive, "
        "< 0 -> negative (a text with no evidence counts as positive).",
    "VADER 3.3.2":
        "compound from polarity_scores(); same thresholds as sentistream (3-class +-0.05; "
        "2-class compound >= 0 -> positive).",
    "sentistream --engine vader":
        "sentistream's VADER mode (vaderSentiment 3.3.2 reproduced, with the pinned "
        "package's own lexicon files); same thresholds. Should equal the VADER row.",
    "SnowNLP":
        "sentiments() = P(positive). 2-class: >= 0.5 -> positive. 3-class: neutral band "
        "[0.4, 0.6] chosen a priori (symmetric around the decision point), > 0.6 positive, "
        "< 0.4 negative.",
    "cnsenti":
        "sentiment_count(): pos and neg word counts. 3-class: sign of pos - neg (0 -> "
        "neutral). 2-class: pos >= neg -> positive (ties positive, as compound >= 0).",
}


def venv_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "sentistream", "venv-eval")


def ensure_venv():
    """Re-executes this script inside the cached venv (created and filled on first use)."""
    venv = venv_dir()
    py = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(py):
        print(f"run_eval: creating {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = subprocess.run([py, "-c", "import vaderSentiment, snownlp, cnsenti"],
                           capture_output=True)
    if probe.returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", *PINS], check=True)
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


# ---- readers: the same rules as pipeline/eval.cpp -------------------------------------

EMOTICON = re.compile(r"\[[^\[\] \t\r\n]{1,8}\]")


def strip_emoticons(text):
    return EMOTICON.sub("", text)


def read_lines(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().split("\n")
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_tweeteval(data_dir):
    labels = read_lines(os.path.join(data_dir, "tweeteval_val_labels.txt"))
    texts = read_lines(os.path.join(data_dir, "tweeteval_val_text.txt"))
    while len(texts) > len(labels) and texts[-1] == "":
        texts.pop()
    assert len(texts) == len(labels), "tweeteval: texts and labels differ in length"
    return [(decode_u_escapes(t), CLASSES3[int(l)]) for t, l in zip(texts, labels)]


def decode_u_escapes(s):
    """TweetEval keeps some characters as literal \\uXXXX escapes ("don\\u2019t"); decode
    them (surrogate pairs too), as sentistream's tweeteval reader does."""
    def pair(m):
        hi, lo = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    s = re.sub(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})", pair, s)
    return re.sub(r"\\u([0-9a-fA-F]{4})",
                  lambda m: m.group(0) if (0xD800 <= int(m.group(1), 16) <= 0xDFFF
                                           or int(m.group(1), 16) == 0)
                  else chr(int(m.group(1), 16)), s)


def xml_unescape(s):
    def repl(m):
        e = m.group(1)
        named = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
        if e in named:
            return named[e]
        try:
            cp = int(e[2:], 16) if e[:2] in ("#x", "#X") else int(e[1:]) if e[0] == "#" else 0
        except ValueError:
            cp = 0
        return chr(cp) if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else m.group(0)
    return re.sub(r"&([^;&]{1,9});", repl, s)


NLPCC_POLARITY = {"like": "positive", "happiness": "positive", "sadness": "negative",
                  "disgust": "negative", "anger": "negative", "fear": "negative",
                  "none": "neutral"}


def read_nlpcc(data_dir):
    with open(os.path.join(data_dir, "nlpcc2013_weibo_emotion_sample.xml"),
              encoding="utf-8-sig") as f:
        data = f.read()
    rows = []
    for m in re.finditer(r"<weibo\b([^>]*)>(.*?)</weibo>", data, re.S):
        t = re.search(r"""\semotion-type=["']([^"']*)["']""", m.group(1)).group(1)
        if t == "surprise":
            continue
        text = "".join(xml_unescape(s) for s in
                       re.findall(r"<sentence\b[^>]*>(.*?)</sentence>", m.group(2), re.S))
        rows.append((text, NLPCC_POLARITY[t]))
    return rows


def read_weibo(data_dir, strip):
    lines = read_lines(os.path.join(data_dir, "weibo_senti_100k_dev.tsv"))
    assert lines[0].split("\t")[0] == "label", "weibo_senti: header must start with label"
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        label, text = line.split("\t", 1)
        rows.append((strip_emoticons(text) if strip else text,
                     "positive" if label.strip() == "1" else "negative"))
    return rows


def load_set(key, data_dir):
    if key == "tweeteval":
        return read_tweeteval(data_dir)
    if key == "nlpcc":
        return read_nlpcc(data_dir)
    return read_weibo(data_dir, key == "weibo_strip")


# ---- metrics: the same definitions as pipeline/eval.cpp --------------------------------

def metrics(gold, pred, classes):
    idx = {c: i for i, c in enumerate(classes)}
    conf = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, pred):
        conf[idx[g]][idx[p]] += 1
    n = len(gold)
    acc = sum(conf[i][i] for i in range(len(classes))) / n
    f1s = []
    for i in range(len(classes)):
        support = sum(conf[i])
        predicted = sum(conf[j][i] for j in range(len(classes)))
        tp = conf[i][i]
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        if support + predicted:
            f1s.append(f)
    return {"rows": n, "accuracy": acc, "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
            "confusion": conf}


# ---- engines ----------------------------------------------------------------------------

def vader_engine_args():
    """sentistream's VADER mode, pointed at the lexicon files of the pinned vaderSentiment
    package in the venv (never copied into the repository)."""
    import vaderSentiment
    d = os.path.dirname(vaderSentiment.__file__)
    return ["--engine", "vader",
            "--set", f'score.vader_lexicon="{os.path.join(d, "vader_lexicon.txt")}"',
            "--set", f'score.vader_emoji_lexicon="{os.path.join(d, "emoji_utf8_lexicon.txt")}"']


def run_sentistream(binary, data_dir, args, extra=()):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        cmd = [binary, "eval", *[os.path.join(data_dir, a) if a.endswith((".txt", ".xml", ".tsv"))
                                 else a for a in args], *extra, "--output", out]
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        secs = time.time() - t0
        with open(out) as f:
            r = json.load(f)
    r["seconds"] = secs
    r["confusion"] = r["confusion"]["matrix"]
    return r


def label3(score, lo, hi):
    return "positive" if score >= hi else "negative" if score <= lo else "neutral"


def run_vader(texts, task):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    sia = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        c = sia.polarity_scores(t)["compound"]
        out.append(label3(c, -0.05, 0.05) if task == "3class"
                   else "positive" if c >= 0 else "negative")
    return out


def snownlp_probability(text):
    from snownlp import SnowNLP
    # SnowNLP fails on texts with no Chinese word (empty after its segmenter): count
    # those as the neutral point 0.5, i.e. no evidence either way.
    try:
        return SnowNLP(text).sentiments if text.strip() else 0.5
    except Exception:
        return 0.5


def run_snownlp(texts, task):
    # Pure Python and slow (~65 ms a post): two worker processes, order kept by map().
    with multiprocessing.Pool(2) as pool:
        probs = pool.map(snownlp_probability, texts, chunksize=100)
    out = []
    for p in probs:
        if task == "3class":
            out.append("positive" if p > 0.6 else "negative" if p < 0.4 else "neutral")
        else:
            out.append("positive" if p >= 0.5 else "negative")
    return out


def run_cnsenti(texts, task):
    from cnsenti import Sentiment
    senti = Sentiment()
    # cnsenti keeps its word lists as Python lists; membership in a set is the same test,
    # only ~40x faster (same predictions, checked).
    senti.Poss, senti.Negs = set(senti.Poss), set(senti.Negs)
    out = []
    for t in texts:
        r = senti.sentiment_count(t)
        d = r["pos"] - r["neg"]
        if task == "3class":
            out.append("positive" if d > 0 else "negative" if d < 0 else "neutral")
        else:
            out.append("positive" if d >= 0 else "negative")
    return out


def cached_predictions(name, key, texts, task, fn):
    """Baseline predictions, cached next to the venv: the baselines are pinned and the
    texts are hashed, so a rerun after a sentistream change skips the slow part (SnowNLP
    takes minutes on these sets). Delete the cache folder to recompute."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode())
        h.update(b"\0")
    tag = re.sub(r"[^A-Za-z0-9.]+", "_", name)
    path = os.path.join(venv_dir(), "..", "eval-cache",
                        f"{tag}-{key}-{task}-{h.hexdigest()[:16]}.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    pred = fn(texts, task)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(pred, f)
    os.replace(path + ".tmp", path)
    return pred


BASELINES = {"en": [("VADER 3.3.2", run_vader)],
             "zh": [("SnowNLP", run_snownlp), ("cnsenti", run_cnsenti)]}


# ---- report -------------------------------------------------------------------------------

def git_revision():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_report(path, results, cmdline, binary):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = ["# Scorer quality on the development sets", "",
         f"Generated {now} by `{cmdline}` (sentistream {git_revision()}).",
         "Regenerate with the same command; the numbers below are copied from its output, "
         "not edited.", "",
         "Development splits only (`../shared/data/labeled`, see its SOURCES.md): an estimate, "
         "not the final word. Each engine scores the same rows in the same run.", ""]
    L += ["## Accuracy and macro-F1", "",
          "| set | rows | engine | accuracy | macro-F1 |", "|---|---:|---|---:|---:|"]
    for key, title, rows, engines in results:
        for name, m in engines:
            L.append(f"| {key} | {rows} | {name} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} |")
    L += ["", "Sets:", ""]
    for key, title, rows, _ in results:
        L.append(f"- `{key}`: {title}")
    L += ["", "## Confusion matrices (rows gold, columns predicted; order negative, "
          "[neutral,] positive)", ""]
    for key, title, rows, engines in results:
        L.append(f"**{key}**")
        L.append("")
        for name, m in engines:
            L.append(f"- {name}: `{m['confusion']}`")
        L.append("")
    L += ["## Label mappings (fixed before measuring)", ""]
    for name, text in MAPPINGS.items():
        L.append(f"- **{name}**: {text}")
    L += ["",
          "Data mappings: TweetEval 0/1/2 = negative/neutral/positive; its texts keep some "
          "characters as literal `\\uXXXX` escapes (`don\\u2019t`), decoded for every engine. "
          "NLPCC 2013 post-level "
          "`emotion-type`: like, happiness -> positive; sadness, disgust, anger, fear -> "
          "negative; none -> neutral; surprise left out (113 posts). weibo_senti_100k: 1 "
          "positive, 0 negative; its labels were almost surely derived from the bracket "
          "emoticons, hence the second run with every `[...]` of 1-8 characters removed.",
          "",
          "## Commands", "", "```sh",
          "cmake --preset release && cmake --build --preset release --target sentistream",
          cmdline,
          "# one set by hand, with per-class figures:",
          f"{os.path.relpath(binary, ROOT)} eval --format tweeteval --labels "
          "../shared/data/labeled/tweeteval_val_labels.txt --lang en",
          "```", "",
          "Baseline versions: " + ", ".join(PINS) + " (PyPI, in a venv under "
          "`${XDG_CACHE_HOME:-~/.cache}/sentistream/venv-eval`, created by the script).", ""]
    with open(path, "w") as f:
        f.write("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "pipeline",
                                                  "sentistream"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "labeled"))
    ap.add_argument("--report", default=os.path.join(HERE, "REPORT.md"))
    ap.add_argument("--sets", default=",".join(k for k, *_ in SETS),
                    help="comma-separated subset of " + ",".join(k for k, *_ in SETS))
    ap.add_argument("--no-baselines", action="store_true", help="sentistream only (fast)")
    args = ap.parse_args()
    if not args.no_baselines:
        ensure_venv()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"run_eval: no sentistream binary at {args.bin} (build it, or pass --bin)")
    if not os.path.isdir(args.data):
        sys.exit(f"run_eval: no labelled data at {args.data} (pass --data)")

    wanted = args.sets.split(",")
    results = []
    for key, title, ev_args, task, lang in SETS:
        if key not in wanted:
            continue
        classes = CLASSES3 if task == "3class" else CLASSES2
        ours = run_sentistream(args.bin, args.data, ev_args)
        rows = load_set(key, args.data)
        gold = [g for _, g in rows]
        texts = [t for t, _ in rows]
        # Same rows as sentistream read: count and per-class support must agree.
        support = [sum(r) for r in ours["confusion"]]
        mine = [gold.count(c) for c in classes]
        if len(rows) != ours["rows"] or support != mine:
            sys.exit(f"run_eval: {key}: the script read {len(rows)} rows {mine}, "
                     f"sentistream {ours['rows']} {support}")
        engines = [("sentistream (default)", ours)]
        print(f"{key:12s} sentistream  acc {ours['accuracy']:.4f}  macro-F1 "
              f"{ours['macro_f1']:.4f}  ({ours['seconds']:.2f} s)", file=sys.stderr)
        if not args.no_baselines and lang == "en":
            # Cross-check: sentistream's VADER mode should match the Python VADER row.
            m = run_sentistream(args.bin, args.data, ev_args, vader_engine_args())
            engines.append(("sentistream --engine vader", m))
            print(f"{key:12s} st-vader     acc {m['accuracy']:.4f}  macro-F1 "
                  f"{m['macro_f1']:.4f}  ({m['seconds']:.2f} s)", file=sys.stderr)
        if not args.no_baselines:
            for name, fn in BASELINES[lang]:
                t0 = time.time()
                m = metrics(gold, cached_predictions(name, key, texts, task, fn), classes)
                engines.append((name, m))
                print(f"{key:12s} {name:12s} acc {m['accuracy']:.4f}  macro-F1 "
                      f"{m['macro_f1']:.4f}  ({time.time() - t0:.1f} s)", file=sys.stderr)
        results.append((key, title, len(rows), engines))

    cmdline = "bench/eval/run_eval.py" + "".join(
        f" {a}" for a in sys.argv[1:])
    if args.report != "-":
        write_report(args.report, results, cmdline, args.bin)
        print(f"run_eval: wrote {os.path.relpath(args.report, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
