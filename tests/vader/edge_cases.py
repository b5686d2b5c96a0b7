"""Edge cases for the VADER differential test: hand-written texts aimed at each rule and
quirk of vaderSentiment 3.3.2, plus seeded random sentences built from the same pieces.

The random part draws words from VADER's own lexicon files (passed in), so it exercises
real lexicon entries without any of them being stored in this repository.
"""
import random

BOOSTERS = ["very", "really", "extremely", "so", "most", "more", "totally", "kinda",
            "barely", "hardly", "slightly", "somewhat", "sorta", "almost", "less", "little",
            "friggin", "uber", "quite", "absolutely"]
NEGATORS = ["not", "never", "no", "isn't", "don't", "can't", "won't", "without", "nor",
            "nothing", "despite", "aint", "cannot", "wasn't", "uh-uh", "seldom", "n't",
            "ISN'T", "Don't", "NEVER"]
GLUE = ["the", "a", "of", "kind", "sort", "just", "enough", "at", "least", "very", "this",
        "so", "but", "BUT", "But", "or", "nor", "and", "doubt", "without", "bus", "stop",
        "yeah", "right", "kiss", "death", "to", "die", "for", "beating", "heart", "bomb",
        "shit", "bad", "ass", "badass", "I", "it", "was", "is", "movie", "day", "OK", "lol"]
PUNCT_TAILS = ["", "", "", "!", "!!", "!!!!", "!!!!!", "?", "??", "???", "????", "?!?", ".",
               "...", ",", ":)", ";", "'", '"', ")", "!?"]
EMOJI = ["😀", "😁", "😂", "💘", "💋", "😡", "👍", "👍🏽", "👍🏿", "👎🏻", "❤️", "❤", "♥",
         "👨‍👩‍👧‍👦", "🇨🇳", "🇺🇸", "#️⃣", "1️⃣", "🙂", "☹️", "😭", "🏽", "\u200d", "\ufe0f",
         "🤷‍♀️", "🧑🏾‍💻", "☺", "✌🏼", "🎉"]
NON_ASCII = ["我很惊讶", "厉害了我的国", "好", "café", "naïve", "Ünïcödé", "ÉNORME", "مرحبا",
             "שלום", "Привет", "ΑΒΓ", "αβγ", "İstanbul", "straße", "STRASSE", "ǅemal",
             "ＧＯＯＤ", "ｇｏｏｄ", "\u212aiss", "O\u212a", "ß", "ﬁne", "Σ", "ΣΑΣ", "日本語",
             "ｸﾞｯﾄﾞ", "한국어", "\u00e9", "E\u0301"]
SPACES = [" ", " ", " ", "  ", "\t", "\u00a0", "\u3000", "\u2003", "\u200b", "\x0b", "\x1c",
          "\x85", "\u2028"]


def hand_cases():
    c = [
        "", " ", "   ", "\t", "\u3000", "\u00a0", "\u200b", "!", "?", "!!!", "???", "?!?",
        "good", "GOOD", "Good", "good!", "good!!!!!!", "good???", "good?", "good??",
        "good ????", "bad !!!! ????", ":)", ":-)", "(:", ":D", ":d", "d:", "x-d", "<3",
        "</3", ":(", ":'(", "(-:O", ":-Þ", ":-þ", "'good'", "!!good!!", "...good...",
        "go!", "ok", "OK", "I", "I LOVE it", "I love IT", "I am HAPPY", "HAPPY", "HAPPY SAD",
        "VADER is smart, handsome, and funny.",
        "VADER is smart, handsome, and funny!",
        "VADER is very smart, handsome, and funny.",
        "VADER is VERY SMART, handsome, and FUNNY.",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "VADER is not smart, handsome, nor funny.",
        "At least it isn't a horrible book.",
        "The book was only kind of good.",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Today SUX!", "Today only kinda sux! But I'll get by, lol",
        "Make sure you :) or :D today!", "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "Not bad at all", "Sentiment analysis has never been good.",
        "Sentiment analysis has never been this good!", "never so good", "never this bad",
        "it was never so very good", "this good", "so good", "so so good",
        "Most automated sentiment analysis tools are shit.",
        "With VADER, sentiment analysis is the shit!", "the bomb", "it is the bomb",
        "this movie is the bomb dot com", "Other sentiment analysis tools can be quite bad.",
        "On the other hand, VADER is quite bad ass", "VADER is such a badass!",
        "Without a doubt, excellent idea.", "Without doubt, excellent idea.",
        "without doubt good", "without any doubt good",
        "Roger Dodger is one of the most compelling variations on this theme.",
        "Roger Dodger is at least compelling as a variation on the theme.",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "least good", "the least good", "at least good", "very least good", "LEAST good",
        "Not such a badass after all.", "kiss of death", "that was the kiss of death",
        "it is a kiss of death for them", "to die for", "a cake to die for really",
        "yeah right", "oh yeah right great", "bus stop", "the bus stop is nice", "beating heart",
        "my beating heart love", "no", "no good", "no no good", "no not good", "no, good",
        "no problem", "no fun or good", "no fun nor joy", "good no", "no no", "NO NO NO",
        "kind of good", "kind of", "kind", "sort of bad", "just enough good", "it was sort of good",
        "good but bad", "bad but good", "good but", "but good", "but", "BUT", "good BUT bad",
        "good but bad but good", "but but but", "good good but good good",
        "great good but good great good", "bad bad bad but bad", "happy sad but happy sad happy",
        "love but love but love", "good, but...", "good butter", "but, good", "(but) good",
        "isn't good", "ISN'T GOOD", "isnt good", "is n't good", "couldn't be happier",
        "not very good", "not very bad", "never very good at all", "not not good",
        "despite good", "nothing good", "not the best", "not the worst movie ever",
        "I don't think it is good", "uh-uh good", "uhuh good", "without good",
        "the shit", "not the shit", "fucking good", "fucking bad", "FUCKING good",
        "very VERY good", "VERY good", "very GOOD day", "SO good", "so GOOD", "kinda bad",
        "KINDA bad day", "extremely bad", "EXTREMELY bad day", "barely good", "hardly bad",
        "really really really good", "good" + "!" * 50, "bad" + "?" * 50, "?!" * 20 + " good",
        "💘abc", "abc💘", "a💘b", "💘💘💘", "💘 💘", " 💘 ", "👍🏽", "👍🏿👍🏻", "👨‍👩‍👧‍👦 family",
        "🇨🇳 made in China", "❤️❤️", "I ❤ you", "I❤you", "#️⃣", "😀good", "good😀", "😡!!!",
        "😭 but 😂", "😂 BUT 😭", "我很惊讶地看到VADER是如此有用!", "我很驚訝地看到VADER是如此有用!",
        "厉害了我的国 good", "Je suis surpris de voir comment VADER est incroyablement utile !",
        "Ich bin überrascht zu sehen, nur wie erstaunlich nützlich VADER!",
        "Я удивлен увидеть, как раз как удивительно полезно ВЕЙДЕРА!",
        "أنا مندهش لرؤية فقط كيف مثير للدهشة فيدر فائدة!", "שלום good", "ΑΒΓ good",
        "İ good", "\u212aiss me", "O\u212a good", "ＧＯＯＤ good", "ǅ good", "ß good",
        "STRASSE good", "Straße GOOD", "ÉNORME good", "café GOOD", "E\u0301 GOOD",
        "good\u00a0bad", "good\u3000bad", "good\u200bbad", "good\u2028bad", "good\x1cbad",
        "good\x85bad", "good\u2003bad", "good\tbad", "good\x0bbad", "good\x0cbad",
        "\u00a0good\u00a0", "\u3000good\u3000!", "good\r", "\rgood", "good\x00bad",
        "12345", "123 good", "3.14 good", "@user good", "#good", "#Good #BAD", "http://t.co/x good",
        "a", "ab", "abc", "'a'", "'ab'", "'abc'", "!ab!", "!abc!", "''", "--", "-good-",
        "good-bad", "(good)", "[good]", "{bad}", "<good>", "`good`", "~good~", "good.bad",
        "Good. Bad. Good.", "GOOD. BAD. GOOD.", "I'M SO HAPPY", "i'm so happy", "I'm SO happy",
        "wow", "WOW", "Wow!", "lol", "LOL", "LOL!!!", "lmao", "xd", "XD", "ok", "OK!",
        "good " * 2000, "bad but good " * 500, ("not very good, " * 300).strip(),
        " ".join(["love", "hate"] * 2500), "🙂" * 3000, "我" * 5000,
    ]
    return c


def random_cases(lexicon_words, emoji_chars, n, seed=20250129):
    rng = random.Random(seed)
    words = list(lexicon_words)
    out = []
    for _ in range(n):
        k = rng.randint(1, 14)
        toks = []
        for _ in range(k):
            r = rng.random()
            if r < 0.35:
                w = rng.choice(words)
            elif r < 0.47:
                w = rng.choice(BOOSTERS)
            elif r < 0.58:
                w = rng.choice(NEGATORS)
            elif r < 0.80:
                w = rng.choice(GLUE)
            elif r < 0.88:
                w = rng.choice(EMOJI) if rng.random() < 0.6 else rng.choice(emoji_chars)
            else:
                w = rng.choice(NON_ASCII)
            c = rng.random()
            if c < 0.15:
                w = w.upper()
            elif c < 0.2:
                w = w.capitalize()
            if rng.random() < 0.2:
                w = w + rng.choice(PUNCT_TAILS)
            if rng.random() < 0.05:
                w = rng.choice(["'", '"', "(", "...", "*", "#", "@"]) + w
            toks.append(w)
        text = ""
        for i, t in enumerate(toks):
            text += t
            if i + 1 < len(toks):
                text += rng.choice(SPACES) if rng.random() < 0.9 else ""
        if rng.random() < 0.1:
            text = rng.choice(SPACES) + text + rng.choice(SPACES)
        out.append(text)
    return out
