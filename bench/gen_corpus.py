#!/usr/bin/env python3
"""Deterministic synthetic social-media corpus for sentistream benchmarks.

Writes NDJSON posts in the shapes sentistream reads (Twitter API v1.1 status objects,
Twitter API v2 responses, Weibo Open API v2 statuses, m.weibo.cn card responses, the flat
canonical form) or plain texts (one per line, for scorer benchmarks). Same arguments,
same bytes: every random choice comes from seeded generators, and an author's profile
depends only on (seed, language, author index), so author 17 is the same person in every
corpus made with the same seed.

The texts are composed from phrase templates and word lists written for this file
(English and Chinese sentiment words of both polarities, negations, boosters, contrast
words, emoji, Weibo [emoticons], pride / rivalry / self-reliance / sarcasm phrases about
the DeepSeek wave of January 2025). They are meant to exercise the parser and scorer the
way real traffic does (sizes, escapes, entities, HTML, repost chains), not to be labels.

Standard library only. Usage:

  gen_corpus.py --format canonical --lang mixed --posts 1000000 --seed 1 -o posts.ndjson
  gen_corpus.py --format twitter_v1 --posts 200000 --corrupt-fraction 0.01 -o v1.ndjson
  gen_corpus.py --text-only --lang zh --posts 100000 -o zh.txt

--posts counts valid posts; corrupt lines (--corrupt-fraction) come on top of them and
their counts per kind are printed to stderr.
"""

import argparse
import bisect
import datetime
import itertools
import multiprocessing
import os
import random
import sys
import time
import zlib
from json.encoder import encode_basestring as _json_str  # C-accelerated, keeps UTF-8

FORMATS = ("twitter_v1", "twitter_v2", "weibo_v2", "mweibo", "canonical")
# Share of each format in --format mixed.
MIXED_WEIGHTS = (0.25, 0.2, 0.2, 0.2, 0.15)

START_DEFAULT = "2025-01-27T00:00:00Z"
TWITTER_EPOCH_MS = 1288834974657  # snowflake epoch
B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

# ---------------------------------------------------------------------------------------
# Word lists and templates (the team's own; no third-party lexicon material).
# ---------------------------------------------------------------------------------------

EN = {
    "subj": [
        "DeepSeek", "DeepSeek-R1", "DeepSeek V3", "R1", "the new DeepSeek model",
        "this open-source model", "the DeepSeek app", "OpenAI", "ChatGPT", "o1", "Nvidia",
        "Silicon Valley", "Wall Street", "the Nasdaq", "the AI race", "the Hangzhou team",
        "Liang Wenfeng", "Chinese engineers", "the chip ban", "export controls", "Meta",
        "Claude", "Gemini", "Qwen", "Kimi", "the $6M training run", "open-weight models",
        "Sam Altman", "the R1 paper", "mixture-of-experts", "the reasoning model",
        "the App Store chart", "Big Tech", "the US government", "this startup",
    ],
    "pos_adj": [
        "amazing", "impressive", "brilliant", "great", "excellent", "incredible", "good",
        "solid", "fantastic", "remarkable", "wonderful", "awesome", "outstanding", "superb",
        "elegant", "clever", "smart", "mind-blowing", "game-changing", "beautiful",
        "efficient", "fascinating", "legit", "cool", "nice", "useful", "helpful", "exciting",
        "revolutionary", "fast",
    ],
    "neg_adj": [
        "terrible", "awful", "disappointing", "bad", "overhyped", "useless", "broken",
        "mediocre", "horrible", "pathetic", "scary", "dangerous", "sketchy", "laughable",
        "buggy", "censored", "boring", "worrying", "misleading", "dishonest", "embarrassing",
        "ugly", "weak", "fake", "annoying", "frustrating", "stupid", "slow",
    ],
    "pos_verb": ["love", "like", "admire", "enjoy", "appreciate", "respect", "trust", "adore"],
    "neg_verb": ["hate", "dislike", "doubt", "distrust", "fear", "can't stand"],
    "pos_noun": [
        "a masterpiece", "a breakthrough", "a win for open source", "a huge achievement",
        "a gift to the community", "the real deal", "pure genius", "a triumph",
    ],
    "neg_noun": [
        "a disaster", "a scam", "a bubble", "a security nightmare", "a joke",
        "pure propaganda", "a mess", "a copycat", "a trainwreck",
    ],
    "boost": [
        "very", "really", "extremely", "incredibly", "so", "absolutely", "totally", "super",
        "insanely", "truly", "remarkably", "deeply", "hugely", "quite",
    ],
    "damp": ["kind of", "somewhat", "slightly", "a bit", "barely", "marginally", "sort of",
             "a little"],
    "neg": ["not", "never", "hardly", "not really", "definitely not", "not that"],
    "negaux": ["don't", "can't", "won't", "didn't", "wouldn't", "do not", "never"],
    "contrast": ["but", "however", "yet", "though", "but honestly"],
    "emoji_pos": ["😀", "😂", "🔥", "👍", "🚀", "💪", "❤️", "🎉", "👏", "😍", "🤯", "✨", "🙌",
                  "😎", "💯", "🥳"],
    "emoji_neg": ["😡", "😢", "😞", "👎", "💀", "😬", "📉", "😤", "😱", "💔", "😭"],
    "emoji_sarc": ["🙄", "🤡", "😏", "🙃", "🤔", "😅"],
    "pride": [
        "made in China", "the glory of made-in-China", "Chinese innovation at its finest",
        "so proud of these Chinese engineers", "home-grown talent beat them all",
        "Only real innovation stands the test of time", "China's Sputnik moment",
        "a proud day for Chinese tech", "🇨🇳🇨🇳🇨🇳", "China just showed the world",
    ],
    "rivalry": [
        "the chip war just got interesting", "export controls backfired",
        "Silicon Valley should be worried", "the US-China AI race is on",
        "sanctions didn't stop them", "Nvidia lost $600B in a day",
        "America's AI lead is gone", "they did it without the latest GPUs",
        "Washington banned the chips and they built it anyway", "chip war round two",
    ],
    "selfrel": [
        "self-reliance pays off", "they built their own stack", "home-grown chips next",
        "no foreign tech needed", "domestic talent only, no returnees",
    ],
    "sarc": [
        "yeah right", "sure, totally not subsidized", "what could possibly go wrong",
        "oh great, another chatbot that won't talk about 1989", "wow, so open",
        "trust me bro", "nothing to see here", "sure, Jan",
    ],
    "thing": ["a new model", "the weights", "a technical report", "an app update", "Janus-Pro",
              "the distilled models", "its API", "a 671B MoE", "R1-Zero"],
}

EN_TEMPLATES = [
    # (kind, weight, template). {X} picks from EN["x"] and upper-cases it.
    ("pos", 3, "{subj} is {boost} {pos_adj}"),
    ("pos", 2, "{subj} is {pos_adj}!"),
    ("pos", 2, "I {pos_verb} {subj}"),
    ("pos", 2, "I {boost} {pos_verb} what {subj} did"),
    ("pos", 2, "{subj} is {pos_noun}"),
    ("pos", 1, "Just tried {subj}: {pos_adj}!!!"),
    ("pos", 1, "{subj} is sooooo {pos_adj}"),
    ("pos", 1, "{SUBJ} IS {POS_ADJ}!!!"),
    ("pos", 2, "wow, {subj} is {pos_adj} {emoji_pos}"),
    ("pos", 1, "{subj} is not bad at all"),
    ("pos", 1, "Honestly {subj} looks {pos_adj} {emoji_pos}"),
    ("pos", 1, "{subj} trained for $6M? That's {boost} {pos_adj}"),
    ("pos", 1, "{subj} is {neg_adj}, {contrast} {subj} is {boost} {pos_adj}"),
    ("neg", 3, "{subj} is {boost} {neg_adj}"),
    ("neg", 2, "{subj} is {neg_adj} {emoji_neg}"),
    ("neg", 2, "I {neg_verb} {subj}"),
    ("neg", 2, "{subj} is {neg_noun}"),
    ("neg", 2, "{subj} is {neg} {pos_adj}"),
    ("neg", 1, "I {negaux} {pos_verb} {subj} at all"),
    ("neg", 1, "{subj} looks {damp} {neg_adj}"),
    ("neg", 1, "{SUBJ} IS {NEG_ADJ}"),
    ("neg", 2, "{subj} is {pos_adj}, {contrast} {subj} is {neg_adj}"),
    ("neg", 1, "{subj} was supposed to be {pos_adj} {contrast} it's {boost} {neg_adj}"),
    ("neg", 1, "ugh, {subj} again {emoji_neg}"),
    ("neu", 1, "{subj} is {neg} {neg_adj}"),
    ("neu", 2, "Reading {subj} tonight"),
    ("neu", 2, "{subj} released {thing} today"),
    ("neu", 2, "Anyone benchmarked {subj} against {subj}?"),
    ("neu", 1, "Has anyone tried {subj} for coding?"),
    ("neu", 1, "Thread on what {subj} means for {subj} 🧵"),
    ("neu", 1, "Live now: we discuss {subj} and {subj}"),
    ("neu", 1, "R&D budgets vs. results: {subj} edition"),
    ("neu", 1, "Downloading {subj} weights now"),
    ("neu", 1, "{subj} API is $0.55 per million input tokens"),
    ("neu", 1, "{subj} <-> {subj}: a comparison"),
    ("pride", 2, "{pride}! {emoji_pos}"),
    ("pride", 1, "{subj}: {pride}"),
    ("pride", 1, "{pride}. {subj} is {pos_adj}"),
    ("pride", 1, "Say it with me: {pride}"),
    ("rivalry", 2, "{rivalry}. {subj} just changed everything"),
    ("rivalry", 1, "{rivalry} {emoji_neg}"),
    ("rivalry", 1, "{subj} vs {subj}: {rivalry}"),
    ("sarc", 2, "{sarc}, {subj} is {boost} {pos_adj} {emoji_sarc}"),
    ("sarc", 1, "{subj} is {pos_adj}... {sarc}"),
    ("sarc", 1, "Oh sure, {subj} is {pos_noun} {emoji_sarc}"),
    ("selfrel", 1, "{selfrel}. {subj} is proof"),
    ("selfrel", 1, "{selfrel} {emoji_pos}"),
]

ZH = {
    "subj": [
        "DeepSeek", "深度求索", "DeepSeek-R1", "R1", "国产大模型", "幻方量化", "梁文锋",
        "杭州团队", "这家公司", "这个模型", "国产AI", "英伟达", "OpenAI", "硅谷", "美国",
        "华为昇腾", "国产芯片", "开源社区", "美股", "纳斯达克", "ChatGPT", "奥特曼",
        "DeepSeek的App", "这篇论文", "中国工程师", "年轻的研究员们", "外国网友",
    ],
    "pos": [
        "厉害", "牛", "强", "优秀", "惊艳", "给力", "好用", "强大", "震撼", "了不起", "出色",
        "精彩", "靠谱", "良心", "聪明", "好", "棒", "稳", "香", "牛逼", "顶", "高效",
    ],
    "neg": [
        "失望", "垃圾", "糟糕", "难用", "离谱", "恶心", "可怕", "拉胯", "无语", "坑", "慢",
        "烂", "差劲", "丢人", "虚", "水", "吹过头了", "割韭菜",
    ],
    "pos_verb": ["喜欢", "支持", "佩服", "点赞", "看好", "爱"],
    "neg_verb": ["讨厌", "担心", "怀疑", "受不了", "看不上"],
    "boost": ["非常", "太", "特别", "超级", "十分", "真", "真的", "极其", "相当", "好", "巨",
              "贼", "无比"],
    "damp": ["有点", "稍微", "略微", "还算", "比较", "有些"],
    "negw": ["不", "没那么", "并不", "一点也不", "不太", "不是很"],
    "contrast": ["但是", "可是", "不过", "然而", "只是"],
    "emo_pos": ["[哈哈]", "[赞]", "[鼓掌]", "[笑cry]", "[威武]", "[给力]", "[爱你]", "[心]",
                "[good]", "[太开心]", "[偷笑]", "[耶]", "[酷]", "👍", "🔥", "🇨🇳"],
    "emo_neg": ["[怒]", "[泪]", "[伤心]", "[衰]", "[抓狂]", "[吐]", "[哼]", "[失望]", "[悲伤]",
                "[怒骂]", "😭"],
    "emo_sarc": ["[doge]", "[允悲]", "[二哈]", "[吃瓜]", "[微笑]", "[费解]", "[思考]"],
    "pride": [
        "厉害了我的国", "国货之光", "中国制造的荣光", "为国争光", "中国人的骄傲", "扬眉吐气",
        "太自豪了", "大国重器", "这才是中国速度", "只有真正的创新才能经得起时间的考验",
        "🇨🇳🇨🇳🇨🇳", "中国加油",
    ],
    "rivalry": [
        "卡脖子卡不住了", "芯片战争", "美国的制裁失效了", "出口管制又如何", "硅谷慌了",
        "美国急了", "中美AI竞赛", "英伟达一天跌了六千亿美元", "华尔街坐不住了",
        "打破了美国的垄断", "别再被卡脖子",
    ],
    "selfrel": ["自主创新", "国产替代", "自力更生", "本土人才", "没有海归也能做出来", "靠自己"],
    "sarc": ["赢麻了", "又赢了", "我们又赢了", "厉害国", "遥遥领先", "吊打美国", "美国完了",
             "全球第一", "笑死"],
    "thing": ["新模型", "技术报告", "开源权重", "App", "R1推理模型", "Janus-Pro", "API降价"],
}

ZH_TEMPLATES = [
    ("pos", 3, "{subj}{boost}{pos}！"),
    ("pos", 2, "{subj}{boost}{pos}{emo_pos}"),
    ("pos", 2, "{subj}真的{pos}"),
    ("pos", 2, "我{boost}{pos_verb}{subj}{emo_pos}"),
    ("pos", 2, "{subj}太{pos}了{emo_pos}{emo_pos}"),
    ("pos", 1, "用了{subj}，感觉{boost}{pos}"),
    ("pos", 1, "{subj}一点也不{neg}"),
    ("pos", 1, "{subj}{pos}{pos}{pos}！！！"),
    ("pos", 1, "不得不说{subj}是{boost}{pos}"),
    ("pos", 1, "{subj}{pos}啊啊啊啊啊"),
    ("pos", 1, "{subj}有点{neg}，{contrast}{boost}{pos}"),
    ("neg", 3, "{subj}{boost}{neg}{emo_neg}"),
    ("neg", 2, "{subj}{negw}{pos}"),
    ("neg", 1, "{subj}{damp}{neg}"),
    ("neg", 2, "我{neg_verb}{subj}"),
    ("neg", 2, "{subj}{pos}是{pos}，{contrast}{boost}{neg}"),
    ("neg", 1, "对{subj}{boost}{neg}{emo_neg}"),
    ("neg", 1, "{subj}又{neg}又{neg}"),
    ("neg", 1, "{subj}不好用！"),
    ("neu", 2, "{subj}今天发布了{thing}"),
    ("neu", 2, "有人测过{subj}吗？"),
    ("neu", 1, "{subj}和{subj}哪个好用？"),
    ("neu", 1, "刚下载了{subj}，还在研究"),
    ("neu", 1, "{subj}的论文看完了，做个笔记"),
    ("neu", 1, "关于{subj}的一些思考"),
    ("neu", 1, "春节前的{subj}新闻汇总"),
    ("pride", 2, "{pride}！{subj}{boost}{pos}{emo_pos}"),
    ("pride", 2, "{pride}{emo_pos}"),
    ("pride", 1, "{subj}，{pride}！"),
    ("rivalry", 2, "{rivalry}！{subj}{boost}{pos}"),
    ("rivalry", 1, "{rivalry}，{subj}告诉世界什么叫{selfrel}"),
    ("rivalry", 1, "{rivalry}{emo_sarc}"),
    ("sarc", 2, "{sarc}{emo_sarc}"),
    ("sarc", 1, "又{sarc}了{emo_sarc}"),
    ("sarc", 1, "{subj}{boost}{pos}，{sarc}{emo_sarc}"),
    ("sarc", 1, "{sarc}，{sarc}，天天{sarc}[允悲]"),
    ("selfrel", 1, "{selfrel}才是出路"),
    ("selfrel", 1, "{subj}证明了{selfrel}的力量{emo_pos}"),
    ("selfrel", 1, "{selfrel}，{pride}"),
]

HASHTAGS = {
    "en": [
        "DeepSeek", "AI", "DeepSeekR1", "ChatGPT", "OpenAI", "Nvidia", "NVDA", "ChipWar",
        "MadeInChina", "OpenSource", "LLM", "AIRace", "SiliconValley", "China", "Tech",
        "StockMarket", "GenerativeAI", "MachineLearning", "Stargate", "Qwen", "Innovation",
        "USChina", "Semiconductors", "Nasdaq", "R1", "DeepSeekV3", "ArtificialIntelligence",
        "Claude", "Meta", "Startups",
    ],
    "zh": [
        "DeepSeek", "厉害了我的国", "国产大模型", "人工智能", "DeepSeek爆火", "深度求索",
        "国货之光", "AI", "卡脖子", "芯片", "梁文锋", "英伟达股价暴跌", "硅谷",
        "DeepSeek冲上美区App榜首", "春节", "科技", "中国制造", "自主创新", "国产替代", "开源",
        "大模型", "美国芯片禁令", "杭州", "幻方量化", "AI竞赛",
    ],
}

URLS = [
    "https://github.com/deepseek-ai/DeepSeek-R1",
    "https://arxiv.org/abs/2501.12948",
    "https://huggingface.co/deepseek-ai/DeepSeek-R1",
    "https://chat.deepseek.com/",
    "https://api-docs.deepseek.com/news/news250120",
    "https://www.reuters.com/technology/artificial-intelligence/what-is-deepseek-2025-01-27/",
    "https://www.bloomberg.com/news/articles/2025-01-27/nvidia-shares-tumble-deepseek",
    "https://www.cnbc.com/2025/01/27/nvidia-falls-as-deepseek-threatens-ai-dominance.html",
    "https://www.nytimes.com/2025/01/27/technology/what-is-deepseek-china-ai.html",
    "https://apps.apple.com/us/app/deepseek-ai-assistant/id6737597349",
    "https://www.youtube.com/watch?v=Xq2N5bTzT4c",
]

EN_FIRST = ["James", "Mary", "Wei", "Li", "Priya", "Ahmed", "Sofia", "Lucas", "Emma", "Noah",
            "Olivia", "Hiro", "Chen", "Ana", "David", "Sarah", "Mike", "Jen", "Raj", "Tom",
            "Kate", "Omar", "Yuki", "Alex", "Sam", "Chris", "Nina", "Ben", "Lena", "Marco"]
EN_LAST = ["Smith", "Johnson", "Zhang", "Wang", "Patel", "Garcia", "Miller", "Brown", "Lee",
           "Kim", "Nguyen", "Chen", "Davis", "Lopez", "Wilson", "Moore", "Taylor", "Liu",
           "Anderson", "Thomas", "Martin", "Sato", "Rossi", "Müller", "O'Brien"]
EN_HANDLE = ["tech", "ai", "dev", "crypto", "news", "ml", "data", "gpu", "code", "hodl",
             "trader", "nerd", "build", "ship", "startup", "vc", "quant", "policy", "geo"]
EN_BIO = [
    "Building things with LLMs. Opinions my own.", "ML engineer | ex-FAANG | 🇺🇸",
    "Investor. Semis, AI, macro. Not financial advice.", "PhD student, NLP & reasoning",
    "Tech journalist covering China & AI", "I tweet about GPUs and coffee ☕",
    "Founder @ a stealth startup 🚀", "Policy wonk. US-China tech competition.",
    "Open source maximalist", "Retired engineer, curious about everything",
    "Dad, runner, Python dev", "", "Trading $NVDA since 2016 📈",
]
EN_LOC = ["San Francisco, CA", "New York, NY", "London", "Seattle, WA", "Austin, TX",
          "Toronto", "Singapore", "Bay Area", "Earth 🌍", "", "", "Berlin", "Sydney",
          "Hong Kong", "Taipei", "Boston, MA", "Los Angeles, CA", "Bangalore"]
EN_CC = ["US", "US", "US", "GB", "CA", "SG", "AU", "IN", "DE", "HK", "JP", "CN"]

ZH_NICK_A = ["杭州", "北京", "上海", "深圳", "吃瓜", "码农", "科技", "AI", "快乐的", "爱国",
             "老", "小", "一只", "佛系", "理性", "键盘", "月薪三千的", "摸鱼", "熬夜", "追光"]
ZH_NICK_B = ["小王", "老李", "群众", "少年", "程序员", "研究员", "观察员", "大叔", "喵", "猫",
             "打工人", "青年", "博主", "投资人", "学生", "评论员", "工程师", "网友"]
ZH_BIO = ["热爱生活，热爱科技", "一个普通的打工人", "关注人工智能与芯片产业", "科技博主 | 合作私信",
          "理性讨论，拒绝引战", "计算机专业在读", "投资有风险，入市需谨慎", "", "只发自己想发的",
          "北漂程序员，喜欢开源", "每天分享一点科技新闻🌟"]
ZH_LOC = [("11", "北京", "北京 海淀区"), ("31", "上海", "上海 浦东新区"),
          ("44", "广东", "广东 深圳"), ("44", "广东", "广东 广州"), ("33", "浙江", "浙江 杭州"),
          ("32", "江苏", "江苏 南京"), ("51", "四川", "四川 成都"), ("42", "湖北", "湖北 武汉"),
          ("37", "山东", "山东 济南"), ("61", "陕西", "陕西 西安"), ("50", "重庆", "重庆"),
          ("43", "湖南", "湖南 长沙"), ("35", "福建", "福建 厦门"), ("400", "海外", "海外 美国"),
          ("81", "香港", "香港"), ("100", "其他", "其他")]

TW_SOURCES = [
    ('<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
     "Twitter for iPhone"),
    ('<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
     "Twitter for Android"),
    ('<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
     "Twitter Web App"),
    ('<a href="https://about.twitter.com/products/tweetdeck" rel="nofollow">TweetDeck</a>',
     "TweetDeck"),
]
WB_SOURCES = ["iPhone 15 Pro Max", "iPhone 14", "HUAWEI Mate 60 Pro", "小米14", "vivo X100",
              "OPPO Find X7", "微博 weibo.com", "荣耀Magic6", "微博视频号", "iPad客户端"]
EMOTICON_FILES = {
    "[哈哈]": "d_haha", "[赞]": "d_zan", "[鼓掌]": "d_guzhang", "[笑cry]": "d_xiaoku",
    "[威武]": "f_v5", "[给力]": "f_geili", "[爱你]": "d_aini", "[心]": "l_xin",
    "[good]": "h_good", "[太开心]": "d_taikaixin", "[偷笑]": "d_touxiao", "[耶]": "h_ye",
    "[酷]": "d_ku", "[怒]": "d_nu", "[泪]": "d_lei", "[伤心]": "l_shangxin", "[衰]": "d_shuai",
    "[抓狂]": "d_zhuakuang", "[吐]": "d_tu", "[哼]": "d_heng", "[失望]": "d_shiwang",
    "[悲伤]": "d_beishang", "[怒骂]": "d_numa", "[doge]": "d_doge", "[允悲]": "d_yunbei",
    "[二哈]": "d_erha", "[吃瓜]": "d_chigua", "[微笑]": "d_hehe", "[费解]": "d_feijie",
    "[思考]": "d_sikao",
}

QUOTED_TAGS = {t: _json_str(t) for lang in HASHTAGS for t in HASHTAGS[lang]}

WD = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def q(s):
    """JSON string literal, UTF-8 kept (as the Weibo APIs and canonical form write)."""
    return _json_str(s)


def qt(s):
    """JSON string literal the way Twitter's v1.1 stream writes it: '/' escaped as '\\/'."""
    return _json_str(s).replace("/", "\\/")


def jbool(b):
    return "true" if b else "false"


def tw_html_escape(s):
    # Twitter API text fields escape these three as HTML entities.
    if "&" in s or "<" in s or ">" in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s


def html_escape(s):
    if "&" in s or "<" in s or ">" in s or '"' in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;")
    return s


def url_quote(s):
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        out.append(c if (c.isascii() and c.isalnum()) or c in "-_.~" else "%%%02X" % b)
    return "".join(out)


def rand_b62(rnd, k):
    return "".join(rnd.choices(B62, k=k))


def mid_to_bid(mid):
    """Weibo's base62 short id of a numeric mid (7-digit groups from the right)."""
    s = str(mid)
    groups = []
    while s:
        groups.append(s[-7:])
        s = s[:-7]
    out = []
    for gi, g in enumerate(reversed(groups)):
        n = int(g)
        enc = ""
        while n:
            enc = B62[n % 62] + enc
            n //= 62
        if gi > 0:
            enc = enc.rjust(4, "0")
        out.append(enc or "0")
    return "".join(out)


def parse_rfc3339_ms(text):
    dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp() * 1000)


class TimeFormats:
    """Formats event times in every platform's style; caches the last second seen."""

    def __init__(self):
        self._sec = None
        self._tm = None
        self._bj = None

    def _load(self, sec):
        if sec != self._sec:
            self._sec = sec
            self._tm = time.gmtime(sec)
            self._bj = time.gmtime(sec + 8 * 3600)

    def twitter(self, ms):  # "Mon Jan 27 00:00:01 +0000 2025"
        self._load(ms // 1000)
        t = self._tm
        return "%s %s %02d %02d:%02d:%02d +0000 %d" % (
            WD[t.tm_wday], MON[t.tm_mon - 1], t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
            t.tm_year)

    def weibo(self, ms):  # Beijing time: "Mon Jan 27 08:00:01 +0800 2025"
        self._load(ms // 1000)
        t = self._bj
        return "%s %s %02d %02d:%02d:%02d +0800 %d" % (
            WD[t.tm_wday], MON[t.tm_mon - 1], t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
            t.tm_year)

    def rfc3339(self, ms, frac):  # "2025-01-27T00:00:01Z" / ".234Z" / ".000Z"
        self._load(ms // 1000)
        t = self._tm
        base = "%04d-%02d-%02dT%02d:%02d:%02d" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                 t.tm_min, t.tm_sec)
        if frac is None:
            return base + "Z"
        return "%s.%03dZ" % (base, frac)


def rfc3339_static(sec):
    t = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d.000Z" % t[:6]


def twitter_static(sec):
    t = time.gmtime(sec)
    return "%s %s %02d %02d:%02d:%02d +0000 %d" % (WD[t.tm_wday], MON[t.tm_mon - 1],
                                                  t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                                                  t.tm_year)


def weibo_static(sec):
    return twitter_static(sec + 8 * 3600).replace("+0000", "+0800")


class Zipf:
    """Draws ranks 0..n-1 with P(k) proportional to 1/(k+1)^s."""

    def __init__(self, n, s):
        self.cw = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(n)))
        self.total = self.cw[-1]

    def draw(self, rnd):
        return bisect.bisect_right(self.cw, rnd.random() * self.total)


class Weighted:
    def __init__(self, items, weights):
        self.items = list(items)
        self.cw = list(itertools.accumulate(weights))
        self.total = self.cw[-1]

    def draw(self, rnd):
        return self.items[bisect.bisect_right(self.cw, rnd.random() * self.total)]


# ---------------------------------------------------------------------------------------
# Sentences: a seeded pool filled from the templates at start-up, so composing a post is
# a few list look-ups. 8192 sentences per language and 1-3 per post give ~10^11
# distinct texts before decorations.
# ---------------------------------------------------------------------------------------


class _Filler(dict):
    def __init__(self, rnd, words):
        super().__init__()
        self.rnd = rnd
        self.words = words

    def __missing__(self, key):  # a fresh pick for every slot occurrence
        if key.isupper():
            return self.rnd.choice(self.words[key.lower()]).upper()
        return self.rnd.choice(self.words[key])


def build_sentence_pool(rnd, words, templates, n):
    kinds = Weighted(range(len(templates)), [w for _, w, _ in templates])
    pool = []
    for _ in range(n):
        _, _, tpl = templates[kinds.draw(rnd)]
        s = tpl.format_map(_Filler(rnd, words))
        pool.append(s[0].upper() + s[1:] if rnd.random() < 0.5 else s)
    return pool


# ---------------------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------------------


class SplitMix:
    """SplitMix64: a tiny seeded stream, much cheaper to create than random.Random (one
    per author). Only what Author needs."""

    __slots__ = ("s",)
    M = (1 << 64) - 1

    def __init__(self, seed):
        self.s = seed & self.M

    def next(self):
        self.s = z = (self.s + 0x9E3779B97F4A7C15) & self.M
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.M
        return z ^ (z >> 31)

    def random(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

    def randrange(self, a, b=None):
        if b is None:
            a, b = 0, a
        return a + self.next() % (b - a)

    def choice(self, seq):
        return seq[self.next() % len(seq)]

    def uniform(self, a, b):
        return a + (b - a) * self.random()

    def b62(self, k):
        x = self.next()
        return "".join(B62[(x >> (6 * j)) % 62] for j in range(k))


class Author:
    __slots__ = ("lang", "rank", "tw_id", "wb_id", "handle", "name", "wb_name", "bio", "loc",
                 "cc", "province", "region_zh", "followers", "friends", "statuses",
                 "favourites", "listed", "created_s", "verified", "color", "img",
                 "_cache")

    def __init__(self, seed, lang, rank):
        r = SplitMix(seed * 0x2545F4914F6CDD1D + rank * 2 + (lang == "zh"))
        r.next()
        self.lang = lang
        self.rank = rank
        if r.random() < 0.4:
            self.tw_id = r.randrange(10**6, 2 * 10**9)
        else:
            self.tw_id = r.randrange(7 * 10**17, 1_880_000_000_000_000_000)
        self.wb_id = r.randrange(1_000_000_000, 7_999_999_999)
        if lang == "en":
            first, last = r.choice(EN_FIRST), r.choice(EN_LAST)
            style = r.random()
            if style < 0.4:
                self.handle = (first + last)[:13] + str(r.randrange(100))
            elif style < 0.7:
                self.handle = "%s_%s%d" % (r.choice(EN_HANDLE), first.lower(), r.randrange(1000))
            else:
                self.handle = "%s%s" % (first.lower(), r.choice(EN_HANDLE))
            self.name = "%s %s" % (first, last) if r.random() < 0.7 else "%s %s %s" % (
                first, last, r.choice(EN["emoji_pos"]))
            self.wb_name = self.handle
            self.bio = r.choice(EN_BIO)
            self.loc = r.choice(EN_LOC)
            self.cc = r.choice(EN_CC)
            self.province, self.region_zh = "400", "海外"
        else:
            self.handle = "%s%s%d" % (r.choice(["zh", "cn", "wei", "li", "xiao", "hz", "bj"]),
                                      r.choice(["_ai", "_dev", "coder", "_news", "_tech", "123",
                                                "_88", ""]), r.randrange(10000))
            self.name = r.choice(ZH_NICK_A) + r.choice(ZH_NICK_B) + (
                str(r.randrange(2000)) if r.random() < 0.4 else "")
            self.wb_name = self.name
            self.bio = r.choice(ZH_BIO)
            self.province, self.region_zh, self.loc = r.choice(ZH_LOC)
            self.cc = "CN" if self.province not in ("400", "81") else r.choice(["US", "HK"])
        pop = 3_000_000 / (rank + 1) ** 0.85
        self.followers = int(pop * r.uniform(0.2, 1.5)) + r.randrange(50)
        self.friends = r.randrange(20, 3000)
        self.statuses = r.randrange(100, 80000)
        self.favourites = r.randrange(0, 50000)
        self.listed = self.followers // r.randrange(50, 400)
        self.created_s = r.randrange(1_230_000_000, 1_730_000_000)
        self.verified = rank < 200 and r.random() < 0.5
        self.color = "%06X" % r.randrange(1 << 24)
        self.img = "%d/%s" % (r.randrange(10**17, 10**18), r.b62(8))
        self._cache = {}


class AuthorPool:
    def __init__(self, seed, lang, n, s=1.05):
        self.seed = seed
        self.lang = lang
        self.zipf = Zipf(n, s)
        self.authors = {}

    def get(self, rank):
        a = self.authors.get(rank)
        if a is None:
            a = self.authors[rank] = Author(self.seed, self.lang, rank)
        return a

    def draw(self, rnd):
        z = self.zipf
        rank = bisect.bisect_right(z.cw, rnd.random() * z.total)
        a = self.authors.get(rank)
        return a if a is not None else self.get(rank)


# ---------------------------------------------------------------------------------------
# Posts: a platform-neutral draft, then one renderer per output format.
# Text is kept as segments so each renderer can write entities (Twitter), "#topic#"
# (Weibo) or HTML (m.weibo.cn) with correct offsets.
# ---------------------------------------------------------------------------------------

# Segment kinds
T_TEXT, T_TAG, T_WBTAG, T_MENTION, T_URL, T_EMOTICON, T_CHAIN = range(7)


class Draft:
    __slots__ = ("i", "ms", "lang", "platform", "author", "segs", "likes", "reposts",
                 "replies", "quotes", "orig", "source", "id", "media", "_raw")

    def raw(self):
        """Plain text (what a user typed) and entity offsets in code points."""
        if self._raw is None:
            parts, tags, mentions, urls = [], [], [], []
            pos = 0
            for kind, val in self.segs:
                if kind == T_TEXT or kind == T_EMOTICON:
                    s = val
                elif kind == T_TAG:
                    s = "#" + val
                    tags.append((val, pos, pos + len(s)))
                elif kind == T_WBTAG:
                    s = "#" + val + "#"
                    tags.append((val, pos, pos + len(s)))
                elif kind == T_MENTION:
                    s = "@" + (val.handle if self.platform == "twitter" else val.wb_name)
                    mentions.append((val, pos, pos + len(s)))
                elif kind == T_URL:
                    s = val[0]
                    urls.append((val, pos, pos + len(s)))
                else:  # T_CHAIN
                    s = "//@" + val.wb_name + ":"
                parts.append(s)
                pos += len(s)
            self._raw = ("".join(parts), tags, mentions, urls)
        return self._raw


class Generator:
    def __init__(self, args):
        self.args = args
        self.rnd = random.Random(args.seed)
        pool_rnd = random.Random("pool:%d" % args.seed)
        self.sentences = {
            "en": build_sentence_pool(pool_rnd, EN, EN_TEMPLATES, 8192),
            "zh": build_sentence_pool(pool_rnd, ZH, ZH_TEMPLATES, 8192),
        }
        n_auth = max(1, args.authors // 2)
        self.authors = {"en": AuthorPool(args.seed, "en", n_auth),
                        "zh": AuthorPool(args.seed, "zh", n_auth)}
        self.tags = {lang: Zipf(len(HASHTAGS[lang]), 1.2) for lang in HASHTAGS}
        self.tf = TimeFormats()
        self.start_ms = parse_rfc3339_ms(args.start)
        self.step_ms = 1000.0 / args.rate
        self.n_tags = Weighted((0, 1, 2, 3), (0.45, 0.35, 0.15, 0.05))
        self.n_sent = Weighted((1, 2, 3, 4), (0.4, 0.35, 0.17, 0.08))
        self.fmt_pick = Weighted(FORMATS, MIXED_WEIGHTS)
        self.corrupt_pick = Weighted(CORRUPT_KINDS, CORRUPT_WEIGHTS)

    # -- drafting ------------------------------------------------------------------------

    def event_ms(self, i):
        rnd = self.rnd
        ms = self.start_ms + int(i * self.step_ms + rnd.random() * self.step_ms)
        if rnd.random() < self.args.out_of_order:
            ms -= 1000 + int(rnd.random() * self.args.max_delay_s * 1000)
        return ms

    def pick_lang(self, platform):
        lang = self.args.lang
        if lang != "mixed":
            return lang
        p_en = {"twitter": 0.8, "weibo": 0.1, "any": 0.5}[platform]
        return "en" if self.rnd.random() < p_en else "zh"

    def sentences_for(self, lang, k):
        pool = self.sentences[lang]
        rnd = self.rnd
        s = pool[int(rnd.random() * 8192)]
        for _ in range(k - 1):
            nxt = pool[int(rnd.random() * 8192)]
            if lang == "en":
                if s[-1] in ".!?…🧵":
                    sep = " " if rnd.random() < 0.85 else "\n"
                else:
                    sep = ". " if rnd.random() < 0.8 else " - "
            else:
                sep = "" if s[-1] in "！？。]" else ("，" if rnd.random() < 0.6 else "。")
            s = s + sep + nxt
        return s

    def tag_list(self, lang, n):
        if n == 0:
            return ()
        z = self.tags[lang]
        names = HASHTAGS[lang]
        seen = []
        for _ in range(n):
            t = names[z.draw(self.rnd)]
            if t not in seen:
                seen.append(t)
        return seen

    def tco(self):
        u = URLS[int(self.rnd.random() * len(URLS))]
        short = "https://t.co/" + rand_b62(self.rnd, 10)
        disp = u.split("://", 1)[1]
        if len(disp) > 26:
            disp = disp[:25] + "…"
        return (short, u, disp)

    def tcn(self):
        u = URLS[int(self.rnd.random() * len(URLS))]
        return ("http://t.cn/A6" + rand_b62(self.rnd, 6), u, "网页链接")

    def engagement(self, author):
        # Heavy-tailed counts: Pareto draws (x_m = 1) shifted to start at 0, scaled up for
        # popular authors.
        r = self.rnd.random
        scale = 1.0 + 2000.0 / (author.rank + 20)
        likes = min(int(((1.0 - r()) ** -0.769 - 1.0) * scale), 2_000_000)
        reposts = min(int(((1.0 - r()) ** -0.625 - 1.0) * scale * 0.3), 500_000)
        replies = min(int(((1.0 - r()) ** -0.588 - 1.0) * scale * 0.2), 200_000)
        return likes, reposts, replies, reposts // 7

    def twitter_segments(self, lang, author):
        rnd = self.rnd
        segs = []
        if rnd.random() < 0.2:  # a reply: leading mention(s)
            segs.append((T_MENTION, self.authors[lang].draw(rnd)))
            segs.append((T_TEXT, " "))
        text = self.sentences_for(lang, self.n_sent.draw(rnd))
        if rnd.random() < 0.3:
            emo = EN["emoji_pos"] if rnd.random() < 0.6 else EN["emoji_neg"]
            text += " " + emo[int(rnd.random() * len(emo))]
        segs.append((T_TEXT, text))
        for t in self.tag_list(lang, self.n_tags.draw(rnd)):
            segs.append((T_TEXT, " "))
            segs.append((T_TAG, t))
        if rnd.random() < 0.25:
            segs.append((T_TEXT, " "))
            segs.append((T_URL, self.tco()))
        return segs

    def weibo_segments(self, lang, author):
        rnd = self.rnd
        segs = []
        for t in self.tag_list(lang, self.n_tags.draw(rnd)):
            segs.append((T_WBTAG, t))
        text = self.sentences_for(lang, self.n_sent.draw(rnd))
        # Emoticons written inline by the templates stay in T_TEXT; m.weibo.cn HTML turns
        # every "[...]" it knows into an <img>, see render_mweibo_html.
        segs.append((T_TEXT, text))
        if rnd.random() < 0.35:
            emo = ZH["emo_pos"] if rnd.random() < 0.6 else ZH["emo_sarc"]
            segs.append((T_EMOTICON, emo[int(rnd.random() * len(emo))]))
        if rnd.random() < 0.1:
            segs.append((T_MENTION, self.authors["zh"].draw(rnd)))
        if rnd.random() < 0.1:
            segs.append((T_TEXT, " "))
            segs.append((T_URL, self.tcn()))
        return segs

    def draft(self, i, platform, lang=None, ms=None, nested=False):
        rnd = self.rnd
        d = Draft()
        d.i = i
        d.ms = self.event_ms(i) if ms is None else ms
        d.platform = platform
        d.lang = lang or self.pick_lang(platform)
        d.author = self.authors[d.lang].draw(rnd)
        d.likes, d.reposts, d.replies, d.quotes = self.engagement(d.author)
        d._raw = None
        d.orig = None
        d.media = None
        if platform == "twitter":
            d.id = ((d.ms - TWITTER_EPOCH_MS) << 22) | ((i * 2 + nested) & 0x3FFFFF)
            d.source = TW_SOURCES[int(rnd.random() * len(TW_SOURCES))]
            if not nested and rnd.random() < 0.25:  # a retweet
                d.orig = self.draft(i, platform, d.lang, d.ms - rnd.randrange(60_000, 6 * 3600_000),
                                    nested=True)
                o_text = d.orig.raw()[0]
                rt = "RT @%s: " % d.orig.author.handle
                body = o_text if len(rt) + len(o_text) <= 140 else o_text[:139 - len(rt)] + "…"
                d.segs = [(T_TEXT, "RT "), (T_MENTION, d.orig.author), (T_TEXT, ": " + body)]
                d.likes = 0
                d.reposts = d.orig.reposts
            else:
                d.segs = self.twitter_segments(d.lang, d.author)
                if rnd.random() < 0.2:  # an attached photo: (t.co link, media id, file key)
                    d.media = ("https://t.co/" + rand_b62(rnd, 10), d.id - 5_000_000,
                               "G" + rand_b62(rnd, 14))
        else:
            d.id = 5_127_000_000_000_000 + i * 41 + nested * 17 + int(rnd.random() * 17)
            d.source = WB_SOURCES[int(rnd.random() * len(WB_SOURCES))]
            d.segs = self.weibo_segments(d.lang, d.author)
            if not nested and rnd.random() < 0.3:  # a repost, often with a chain
                d.orig = self.draft(i, platform, d.lang,
                                    d.ms - rnd.randrange(60_000, 12 * 3600_000), nested=True)
                if d.lang == "zh":
                    comment = rnd.choice(["", "转发微博", "说得好", "哈哈哈哈",
                                          self.sentences_for("zh", 1)])
                else:
                    comment = rnd.choice(["", "Repost", self.sentences_for("en", 1)])
                segs = [(T_TEXT, comment)] if comment else [(T_TEXT, "转发微博")]
                for _ in range(int(rnd.random() * 3)):
                    segs.append((T_CHAIN, self.authors["zh"].draw(rnd)))
                    segs.append((T_TEXT, self.sentences_for(d.lang, 1)))
                d.segs = segs
        return d

    # -- twitter v1.1 -------------------------------------------------------------------

    def v1_user(self, a):
        js = a._cache.get("v1")
        if js is None:
            has_url = a.rank % 3 == 0
            url = "https://t.co/" + B62[a.rank % 62] * 3 + "%07d" % a.rank if has_url else None
            ents = ('{"url":{"urls":[{"url":%s,"expanded_url":%s,"display_url":%s,'
                    '"indices":[0,23]}]},"description":{"urls":[]}}' % (
                        qt(url), qt("https://" + a.handle.lower() + ".dev"),
                        qt(a.handle.lower() + ".dev")) if has_url else
                    '{"description":{"urls":[]}}')
            img = "http://pbs.twimg.com/profile_images/%s_normal.jpg" % a.img
            js = (
                '{"id":%d,"id_str":"%d","name":%s,"screen_name":%s,"location":%s,'
                '"description":%s,"url":%s,"entities":%s,"protected":false,'
                '"followers_count":%d,"friends_count":%d,"listed_count":%d,"created_at":"%s",'
                '"favourites_count":%d,"utc_offset":null,"time_zone":null,"geo_enabled":%s,'
                '"verified":%s,"statuses_count":%d,"lang":null,"contributors_enabled":false,'
                '"is_translator":false,"is_translation_enabled":false,'
                '"profile_background_color":"%s","profile_background_image_url":%s,'
                '"profile_background_image_url_https":%s,"profile_background_tile":false,'
                '"profile_image_url":%s,"profile_image_url_https":%s,'
                '"profile_banner_url":%s,"profile_link_color":"1DA1F2",'
                '"profile_sidebar_border_color":"C0DEED","profile_sidebar_fill_color":"DDEEF6",'
                '"profile_text_color":"333333","profile_use_background_image":true,'
                '"has_extended_profile":%s,"default_profile":%s,"default_profile_image":false,'
                '"following":null,"follow_request_sent":null,"notifications":null,'
                '"translator_type":"none","withheld_in_countries":[]}' % (
                    a.tw_id, a.tw_id, qt(a.name), qt(a.handle), qt(a.loc), qt(a.bio),
                    qt(url) if url else "null", ents, a.followers, a.friends, a.listed,
                    twitter_static(a.created_s), a.favourites, jbool(a.rank % 4 == 0),
                    jbool(a.verified), a.statuses, a.color,
                    qt("http://abs.twimg.com/images/themes/theme1/bg.png"),
                    qt("https://abs.twimg.com/images/themes/theme1/bg.png"), qt(img),
                    qt(img.replace("http:", "https:")),
                    qt("https://pbs.twimg.com/profile_banners/%d/%d" % (a.tw_id, a.created_s)),
                    jbool(a.rank % 5 == 0), jbool(a.rank % 2 == 0)))
            a._cache["v1"] = js
        return js

    def v1_entities(self, tags, mentions, urls):
        h = ",".join('{"text":%s,"indices":[%d,%d]}' % (qt(t), s, e) for t, s, e in tags)
        m = ",".join('{"screen_name":%s,"name":%s,"id":%d,"id_str":"%d","indices":[%d,%d]}' % (
            qt(a.handle), qt(a.name), a.tw_id, a.tw_id, s, e) for a, s, e in mentions)
        u = ",".join('{"url":%s,"expanded_url":%s,"display_url":%s,"indices":[%d,%d]}' % (
            qt(v[0]), qt(v[1]), qt(v[2]), s, e) for v, s, e in urls)
        return '{"hashtags":[%s],"symbols":[],"user_mentions":[%s],"urls":[%s]}' % (h, m, u)

    def v1_place(self, d):
        cc = d.author.cc
        return ('{"id":"%s","url":%s,"place_type":"city","name":%s,"full_name":%s,'
                '"country_code":"%s","country":%s,"contained_within":[],'
                '"bounding_box":{"type":"Polygon","coordinates":[[[-122.514926,37.708075],'
                '[-122.357031,37.708075],[-122.357031,37.833238],[-122.514926,37.833238]]]},'
                '"attributes":{}}' % (
                    "5a110d312052166f", qt("https://api.twitter.com/1.1/geo/id/5a110d312052166f.json"),
                    qt(d.author.loc.split(",")[0] or "Somewhere"),
                    qt(d.author.loc or "Somewhere"), cc, qt(cc)))

    def render_v1_status(self, d):
        text, tags, mentions, urls = d.raw()
        text = tw_html_escape(text)
        ents = self.v1_entities(tags, mentions, urls)
        ext = ""
        shown = text
        truncated = False
        if len(text) > 140 and d.orig is None:
            truncated = True
            link = "https://twitter.com/i/web/status/%d" % d.id
            shown = text[:115] + "… https://t.co/" + rand_b62(self.rnd, 10)
            ext = (',"extended_tweet":{"full_text":%s,"display_text_range":[0,%d],'
                   '"entities":%s}' % (qt(text), len(text), ents))
            ents = ('{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[{"url":%s,'
                    '"expanded_url":%s,"display_url":%s,"indices":[117,140]}]}' % (
                        qt(shown[-23:]), qt(link), qt("twitter.com/i/web/status/1…")))
        ext_ents = ""
        if d.media is not None and not truncated:
            tco, mid, key = d.media
            start = len(shown) + 1
            shown = shown + " " + tco
            media = ('[{"id":%d,"id_str":"%d","indices":[%d,%d],"media_url":%s,'
                     '"media_url_https":%s,"url":%s,"display_url":%s,"expanded_url":%s,'
                     '"type":"photo","sizes":{"thumb":{"w":150,"h":150,"resize":"crop"},'
                     '"medium":{"w":1200,"h":675,"resize":"fit"},"small":{"w":680,"h":383,'
                     '"resize":"fit"},"large":{"w":1920,"h":1080,"resize":"fit"}}}]' % (
                         mid, mid, start, start + len(tco),
                         qt("http://pbs.twimg.com/media/%s.jpg" % key),
                         qt("https://pbs.twimg.com/media/%s.jpg" % key), qt(tco),
                         qt("pic.twitter.com/" + tco[-10:]),
                         qt("https://twitter.com/%s/status/%d/photo/1" % (d.author.handle,
                                                                          d.id))))
            ents = ents[:-1] + ',"media":' + media + "}"
            ext_ents = ',"extended_entities":{"media":' + media + "}"
        rt = ""
        if d.orig is not None:
            rt = ',"retweeted_status":' + self.render_v1_status(d.orig)
        reply = d.segs and d.segs[0][0] == T_MENTION and d.orig is None
        if reply:
            ra = d.segs[0][1]
            reply_f = ('"in_reply_to_status_id":%d,"in_reply_to_status_id_str":"%d",'
                       '"in_reply_to_user_id":%d,"in_reply_to_user_id_str":"%d",'
                       '"in_reply_to_screen_name":%s' % (d.id - 999_999, d.id - 999_999,
                                                         ra.tw_id, ra.tw_id, qt(ra.handle)))
        else:
            reply_f = ('"in_reply_to_status_id":null,"in_reply_to_status_id_str":null,'
                       '"in_reply_to_user_id":null,"in_reply_to_user_id_str":null,'
                       '"in_reply_to_screen_name":null')
        place = self.v1_place(d) if d.author.rank % 20 == 1 else "null"
        return (
            '{"created_at":"%s","id":%d,"id_str":"%d","text":%s,"display_text_range":[0,%d],'
            '"source":%s,"truncated":%s,%s,"user":%s,"geo":null,"coordinates":null,'
            '"place":%s,"contributors":null%s%s,"is_quote_status":false,"quote_count":%d,'
            '"reply_count":%d,"retweet_count":%d,"favorite_count":%d,"entities":%s%s,'
            '"favorited":false,"retweeted":false,"possibly_sensitive":false,'
            '"filter_level":"low","lang":"%s","timestamp_ms":"%d"}' % (
                self.tf.twitter(d.ms), d.id, d.id, qt(shown), min(len(shown), 140),
                qt(d.source[0]), jbool(truncated), reply_f, self.v1_user(d.author), place, rt,
                ext, d.quotes, d.replies, d.reposts, d.likes, ents, ext_ents, d.lang, d.ms))

    # -- twitter v2 ---------------------------------------------------------------------

    def v2_user(self, a):
        js = a._cache.get("v2")
        if js is None:
            js = ('{"id":"%d","name":%s,"username":%s,"created_at":"%s","description":%s,'
                  '"location":%s,"verified":%s,"protected":false,'
                  '"profile_image_url":%s,"public_metrics":{"followers_count":%d,'
                  '"following_count":%d,"tweet_count":%d,"listed_count":%d,"like_count":%d}}' % (
                      a.tw_id, q(a.name), q(a.handle), rfc3339_static(a.created_s), q(a.bio),
                      q(a.loc), jbool(a.verified),
                      q("https://pbs.twimg.com/profile_images/%s_normal.jpg" % a.img),
                      a.followers, a.friends, a.statuses, a.listed, a.favourites))
            a._cache["v2"] = js
        return js

    def v2_tweet(self, d):
        text, tags, mentions, urls = d.raw()
        text = tw_html_escape(text)
        ent = []
        if tags:
            ent.append('"hashtags":[%s]' % ",".join(
                '{"start":%d,"end":%d,"tag":%s}' % (s, e, q(t)) for t, s, e in tags))
        if mentions:
            ent.append('"mentions":[%s]' % ",".join(
                '{"start":%d,"end":%d,"username":%s,"id":"%d"}' % (s, e, q(a.handle), a.tw_id)
                for a, s, e in mentions))
        if urls:
            ent.append('"urls":[%s]' % ",".join(
                '{"start":%d,"end":%d,"url":%s,"expanded_url":%s,"display_url":%s}' % (
                    s, e, q(v[0]), q(v[1]), q(v[2])) for v, s, e in urls))
        ents = ',"entities":{%s}' % ",".join(ent) if ent else ""
        refs = ""
        if d.orig is not None:
            refs = ',"referenced_tweets":[{"type":"retweeted","id":"%d"}]' % d.orig.id
        elif d.segs and d.segs[0][0] == T_MENTION:
            refs = ',"referenced_tweets":[{"type":"replied_to","id":"%d"}]' % (d.id - 999_999)
        if d.media is not None:
            refs += ',"attachments":{"media_keys":["3_%d"]}' % d.media[1]
            text = text + " " + d.media[0]
        return ('{"id":"%d","text":%s,"edit_history_tweet_ids":["%d"],"author_id":"%d",'
                '"conversation_id":"%d","created_at":"%s","lang":"%s","source":%s,'
                '"possibly_sensitive":false,"reply_settings":"everyone"%s%s,'
                '"public_metrics":{"retweet_count":%d,"reply_count":%d,"like_count":%d,'
                '"quote_count":%d,"bookmark_count":%d,"impression_count":%d}}' % (
                    d.id, q(text), d.id, d.author.tw_id, d.id, self.tf.rfc3339(d.ms, 0),
                    d.lang, q(d.source[1]), ents, refs, d.reposts, d.replies, d.likes,
                    d.quotes, d.likes // 9, d.likes * 40 + 17))

    def render_v2(self, d):
        users = [self.v2_user(d.author)]
        extra = ""
        if d.orig is not None:
            if d.orig.author is not d.author:
                users.append(self.v2_user(d.orig.author))
            extra = ',"tweets":[%s]' % self.v2_tweet(d.orig)
        if d.media is not None:
            extra += (',"media":[{"media_key":"3_%d","type":"photo","url":%s,"width":1920,'
                      '"height":1080}]' % (d.media[1], q("https://pbs.twimg.com/media/%s.jpg" %
                                                            d.media[2])))
        return '{"data":%s,"includes":{"users":[%s]%s}}' % (self.v2_tweet(d), ",".join(users),
                                                              extra)

    # -- weibo open api v2 --------------------------------------------------------------

    def wb_user(self, a):
        js = a._cache.get("wb")
        if js is None:
            img = "http://tvax%d.sinaimg.cn/crop.0.0.1080.1080.50/%s.jpg" % (
                a.rank % 4 + 1, a.img.replace("/", "ly8"))
            js = ('{"id":%d,"idstr":"%d","class":1,"screen_name":%s,"name":%s,"province":"%s",'
                  '"city":"1","location":%s,"description":%s,"url":"","profile_image_url":%s,'
                  '"cover_image_phone":"http://ww1.sinaimg.cn/crop.0.0.640.640.640/'
                  '549d0121tw1egm1kjly3jj20hs0hsq4f.jpg","profile_url":"u/%d","domain":"",'
                  '"weihao":"","gender":"%s","followers_count":%d,"friends_count":%d,'
                  '"pagefriends_count":0,"statuses_count":%d,"favourites_count":%d,'
                  '"created_at":"%s","following":false,"allow_all_act_msg":false,'
                  '"geo_enabled":true,"verified":%s,"verified_type":%d,"remark":"",'
                  '"insecurity":{"sexual_content":false},"ptype":0,"allow_all_comment":true,'
                  '"avatar_large":%s,"avatar_hd":%s,"verified_reason":%s,"verified_trade":"",'
                  '"verified_reason_url":"","verified_source":"","verified_source_url":"",'
                  '"follow_me":false,"like":false,"like_me":false,"online_status":0,'
                  '"bi_followers_count":%d,"lang":"zh-cn","star":0,"mbtype":%d,"mbrank":%d,'
                  '"block_word":0,"block_app":0,"credit_score":80,"user_ability":%d,'
                  '"urank":%d,"story_read_state":-1,"vclub_member":0}' % (
                      a.wb_id, a.wb_id, q(a.wb_name), q(a.wb_name), a.province, q(a.loc),
                      q(a.bio), q(img), a.wb_id, "mf"[a.rank % 2], a.followers, a.friends,
                      a.statuses, a.favourites, weibo_static(a.created_s), jbool(a.verified),
                      0 if a.verified else -1, q(img.replace(".50/", ".180/")),
                      q(img.replace(".50/", ".1024/")),
                      q("知名科技博主" if a.verified else ""), a.friends // 3,
                      12 if a.verified else 0, a.rank % 8, 1024 + a.rank % 3 * 8,
                      10 + a.rank % 38))
            a._cache["wb"] = js
        return js

    def render_weibo(self, d):
        text = d.raw()[0]
        rt = ""
        if d.orig is not None:
            rt = ',"retweeted_status":' + self.render_weibo(d.orig)
        pics = ""
        if d.i % 5 == 0 and d.orig is None:
            pid = "%08xly1h%s" % (d.author.wb_id & 0xFFFFFFFF, rand_b62(self.rnd, 13))
            pics = ('{"thumbnail_pic":"http://wx1.sinaimg.cn/thumbnail/%s.jpg"}' % pid)
        return (
            '{"created_at":"%s","id":%d,"idstr":"%d","mid":"%d","can_edit":false,'
            '"show_additional_indication":0,"text":%s,"textLength":%d,"source_allowclick":0,'
            '"source_type":1,"source":%s,"favorited":false,"truncated":false,'
            '"in_reply_to_status_id":"","in_reply_to_user_id":"","in_reply_to_screen_name":"",'
            '"pic_urls":[%s],"geo":null,"is_paid":false,"mblog_vip_type":0,"user":%s%s,'
            '"annotations":[{"mapi_request":true}],"reposts_count":%d,"comments_count":%d,'
            '"attitudes_count":%d,"pending_approval_count":0,"isLongText":false,'
            '"reward_exhibition_type":0,"hide_flag":0,"mlevel":0,'
            '"visible":{"type":0,"list_id":0},"biz_feature":0,"hasActionTypeCard":0,'
            '"darwin_tags":[],"hot_weibo_tags":[],"text_tag_tips":[],"mblogtype":0,'
            '"rid":"0_0_0_%d_0_0_0","userType":0,"more_info_type":0,"positive_recom_flag":0,'
            '"content_auth":0,"gif_ids":"","is_show_bulletin":2,'
            '"comment_manage_info":{"comment_permission_type":-1,"approval_comment_type":0},'
            '"region_name":%s}' % (
                self.tf.weibo(d.ms), d.id, d.id, d.id, q(text), len(text.encode("gbk", "replace")),
                q('<a href="http://app.weibo.com/t/feed/6vtZb0" rel="nofollow">%s</a>' % d.source),
                pics, self.wb_user(d.author), rt, d.reposts, d.replies, d.likes,
                d.id % 10**13, q("发布于 " + d.author.region_zh)))

    # -- m.weibo.cn ---------------------------------------------------------------------

    def mweibo_html(self, d):
        rnd = self.rnd
        out = []
        for kind, val in d.segs:
            if kind == T_TEXT or kind == T_EMOTICON:
                s = html_escape(val)
                if "[" in s:
                    s = self.emoticons_to_img(s)
                out.append(s.replace("\n", "<br />"))
            elif kind == T_WBTAG:
                tag = "#" + val + "#"
                out.append(
                    '<a  href="https://m.weibo.cn/search?containerid=231522type%%3D1%%26t%%3D10'
                    '%%26q%%3D%s&isnewpage=1&luicode=10000011&lfid=102803" data-hide="">'
                    '<span class="surl-text">%s</span></a>' % (url_quote(tag), html_escape(tag)))
            elif kind == T_MENTION:
                out.append("<a href='/n/%s'>@%s</a>" % (val.wb_name, html_escape(val.wb_name)))
            elif kind == T_CHAIN:
                out.append("//<a href='/n/%s'>@%s</a>:" % (val.wb_name, html_escape(val.wb_name)))
            elif kind == T_URL:
                out.append(
                    '<a data-url="%s" href="%s" data-hide=""><span class=\'url-icon\'>'
                    '<img style=\'width: 1rem;height: 1rem\' src=\'https://h5.sinaimg.cn/upload/'
                    '2015/09/25/3/timeline_card_small_web_default.png\'></span>'
                    '<span class="surl-text">网页链接</span></a>' % (val[0], html_escape(val[1])))
            else:
                out.append(html_escape("#" + val))
        if rnd.random() < 0.2:
            out.append(" ")
        return "".join(out)

    def emoticons_to_img(self, s):
        out = []
        i = 0
        while True:
            j = s.find("[", i)
            if j < 0:
                break
            k = s.find("]", j)
            if k < 0:
                break
            emo = s[j:k + 1]
            f = EMOTICON_FILES.get(emo)
            if f is None:
                out.append(s[i:k + 1])
            else:
                out.append(s[i:j])
                # m.weibo.cn writes alt unquoted (alt=[偷笑]); other scrapers re-serialise it
                # quoted. Both occur in dumps.
                alt = emo if self.rnd.random() < 0.5 else '"%s"' % emo
                out.append('<span class="url-icon"><img alt=%s src="//h5.sinaimg.cn/m/emoticon/'
                           'icon/default/%s-%08x.png" style="width:1em; height:1em;" /></span>' % (
                               alt, f, zlib.crc32(f.encode())))
            i = k + 1
        out.append(s[i:])
        return "".join(out)

    def mw_user(self, a):
        js = a._cache.get("mw")
        if js is None:
            js = ('{"id":%d,"screen_name":%s,"profile_image_url":%s,"profile_url":%s,'
                  '"statuses_count":%d,"verified":%s,"verified_type":%d,%s"close_blue_v":false,'
                  '"description":%s,"gender":"%s","mbtype":%d,"svip":0,"urank":%d,"mbrank":%d,'
                  '"follow_me":false,"following":false,"follow_count":%d,"followers_count":"%s",'
                  '"followers_count_str":"%s","cover_image_phone":"https://tva1.sinaimg.cn/'
                  'crop.0.0.640.640.640/549d0121tw1egm1kjly3jj20hs0hsq4f.jpg","avatar_hd":%s,'
                  '"like":false,"like_me":false,"badge":{"user_name_certificate":1}}' % (
                      a.wb_id, q(a.wb_name),
                      q("https://tvax1.sinaimg.cn/crop.0.0.1080.1080.180/%s.jpg" %
                        a.img.replace("/", "ly8")),
                      q("https://m.weibo.cn/u/%d?uid=%d&luicode=10000011&lfid=102803" % (
                          a.wb_id, a.wb_id)), a.statuses, jbool(a.verified),
                      0 if a.verified else -1,
                      ('"verified_reason":%s,' % q("知名科技博主")) if a.verified else "",
                      q(a.bio), "mf"[a.rank % 2], 12 if a.verified else 0, 10 + a.rank % 38,
                      a.rank % 8, a.friends, self.wan(a.followers), self.wan(a.followers),
                      q("https://wx1.sinaimg.cn/orj480/%s.jpg" % a.img.replace("/", "ly8"))))
            a._cache["mw"] = js
        return js

    @staticmethod
    def wan(n):
        return "%.1f万" % (n / 10000.0) if n >= 10000 else str(n)

    def mblog(self, d):
        html = self.mweibo_html(d)
        rt = ""
        if d.orig is not None:
            rt = ',"retweeted_status":' + self.mblog(d.orig)
        bid = mid_to_bid(d.id)
        return (
            '{"visible":{"type":0,"list_id":0},"created_at":"%s","id":"%d","mid":"%d",'
            '"can_edit":false,"show_additional_indication":0,"text":%s,"textLength":%d,'
            '"source":%s,"favorited":false,"pic_ids":[],"pic_types":"","is_paid":false,'
            '"mblog_vip_type":0,"user":%s%s,"reposts_count":%d,"comments_count":%d,'
            '"reprint_cmt_count":0,"attitudes_count":%d,"pending_approval_count":0,'
            '"isLongText":false,"show_mlevel":0,"darwin_tags":[],"ad_marked":false,'
            '"mblogtype":0,"item_category":"status","rid":"%d_0_0_0_0","number_display_strategy":'
            '{"apply_scenario_flag":3,"display_text_min_number":1000000,'
            '"display_text":"100万+"},"content_auth":0,"is_show_mixed":false,'
            '"comment_manage_info":{"comment_permission_type":-1,"approval_comment_type":0,'
            '"comment_sort_type":0},"pic_num":0,"region_name":%s,"mlevel":0,'
            '"detail_bottom_bar":0,"bid":"%s"}' % (
                self.tf.weibo(d.ms), d.id, d.id, q(html), len(d.raw()[0]) * 2, q(d.source),
                self.mw_user(d.author), rt, d.reposts, d.replies, d.likes, d.i % 100,
                q("发布于 " + d.author.region_zh), bid))

    def render_mweibo(self, d):
        bid = mid_to_bid(d.id)
        return ('{"ok":1,"data":{"cardlistInfo":{"containerid":"102803","v_p":42,'
                '"show_style":1,"total":%d,"since_id":%d},"cards":[{"card_type":9,'
                '"itemid":"","scheme":"https://m.weibo.cn/status/%s?mblogid=%s&luicode=10000011'
                '&lfid=102803","mblog":%s,"show_type":0,"title":""}],"scheme":"sinaweibo://'
                'cardlist?containerid=102803"}}' % (d.i + 10, d.id, bid, bid, self.mblog(d)))

    # -- canonical ----------------------------------------------------------------------

    def render_canonical(self, d):
        text, tags, _, _ = d.raw()
        a = d.author
        if d.platform == "twitter":
            aid, aname, region = a.tw_id, a._cache.get("cn_tw"), a.cc if a.rank % 3 else ""
            if aname is None:
                aname = a._cache["cn_tw"] = q(a.handle)
        else:
            aid, aname, region = a.wb_id, a._cache.get("cn_wb"), a.region_zh
            if aname is None:
                aname = a._cache["cn_wb"] = q(a.wb_name)
        ts = self.tf.rfc3339(d.ms, d.ms % 1000 if self.args.canonical_millis else None)
        return ('{"id":"%d","platform":"%s","created_at":"%s","lang":"%s","text":%s,'
                '"author_id":"%d","author_name":%s,"region":"%s","hashtags":[%s],"likes":%d,'
                '"reposts":%d,"replies":%d,"is_repost":%s}' % (
                    d.id, d.platform, ts, d.lang, q(text), aid, aname, region,
                    ",".join(QUOTED_TAGS[t[0]] for t in tags), d.likes, d.reposts, d.replies,
                    "true" if d.orig is not None else "false"))

    # -- lines ----------------------------------------------------------------------------

    def post_line(self, i, fmt):
        if fmt == "twitter_v1":
            return self.render_v1_status(self.draft(i, "twitter"))
        if fmt == "twitter_v2":
            return self.render_v2(self.draft(i, "twitter"))
        if fmt == "weibo_v2":
            return self.render_weibo(self.draft(i, "weibo"))
        if fmt == "mweibo":
            return self.render_mweibo(self.draft(i, "weibo"))
        # canonical: platform follows the language as in real traffic
        lang = self.pick_lang("any")
        p_tw = 0.9 if lang == "en" else 0.15
        platform = "twitter" if self.rnd.random() < p_tw else "weibo"
        return self.render_canonical(self.draft(i, platform, lang))

    def text_line(self, i):
        lang = self.pick_lang("any")
        d = self.draft(i, "twitter" if lang == "en" else "weibo", lang)
        return d.raw()[0].replace("\n", " ").replace("\r", " ")

    # -- corrupt lines --------------------------------------------------------------------

    def corrupt_line(self, kind, fmt, good_line, i):
        """Returns bytes (never ends with a newline)."""
        rnd = self.rnd
        if kind == "broken_json":
            how = rnd.random()
            if how < 0.6:  # truncated, as a killed writer leaves it
                return good_line[:rnd.randrange(1, len(good_line) - 1)].encode()
            if how < 0.8:  # a missing quote
                k = good_line.find('":')
                return (good_line[:k] + good_line[k + 1:]).encode()
            return (good_line[:-1] + ',}').encode()  # trailing comma
        if kind == "invalid_utf8":
            b = good_line.encode()
            k = b.find(b'"text":"')
            k = k + 8 if k >= 0 else len(b) // 2
            bad = rnd.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80abc",
                              b"\xe4\xb8"])
            return b[:k] + bad + b[k:]
        if kind == "deleted":
            tid = ((self.start_ms - TWITTER_EPOCH_MS) << 22) + i
            if fmt == "twitter_v1":
                return ('{"delete":{"status":{"id":%d,"id_str":"%d","user_id":%d,'
                        '"user_id_str":"%d"},"timestamp_ms":"%d"}}' % (
                            tid, tid, 10**9 + i, 10**9 + i, self.start_ms + i)).encode()
            if fmt in ("weibo_v2", "mweibo"):
                if fmt == "mweibo":
                    return '{"ok":0,"msg":"抱歉，此微博已被作者删除。查看帮助：http://t.cn/Rfd3rQV","errno":"20101"}'.encode()
                return ('{"request":"/2/statuses/show.json","error_code":20101,'
                        '"error":"target weibo does not exist!"}').encode()
            return ('{"errors":[{"value":"%d","detail":"Could not find tweet with id: [%d].",'
                    '"title":"Not Found Error","resource_type":"tweet","parameter":"id",'
                    '"resource_id":"%d","type":"https://api.twitter.com/2/problems/'
                    'resource-not-found"}]}' % (tid, tid, tid)).encode()
        # not_a_post
        choice = rnd.randrange(8)
        ms = self.start_ms + i
        return [
            '{"limit":{"track":%d,"timestamp_ms":"%d"}}' % (rnd.randrange(1, 5000), ms),
            '{"warning":{"code":"FALLING_BEHIND","message":"Your connection is falling behind '
            'and messages are being queued for delivery to you.","percent_full":60}}',
            '{"search_metadata":{"completed_in":0.087,"max_id":%d,"query":"%%23DeepSeek",'
            '"count":100,"since_id":0}}' % (tid_guess(ms)),
            '{"scrub_geo":{"user_id":14090452,"user_id_str":"14090452",'
            '"up_to_status_id":23260136625,"up_to_status_id_str":"23260136625"}}',
            '{"friends":[1497,169686021,790205,15211564]}',
            '{"hello":"world","n":%d}' % i,
            '[1,2,3]',
            '"just a string"',
        ][choice].encode()


def tid_guess(ms):
    return (ms - TWITTER_EPOCH_MS) << 22


CORRUPT_KINDS = ("broken_json", "invalid_utf8", "deleted", "not_a_post")
CORRUPT_WEIGHTS = (0.35, 0.25, 0.2, 0.2)

# Posts are made in chunks; chunk k draws from a generator seeded by (seed, k) alone, so
# the output does not depend on --jobs.
CHUNK = 8192
_GEN = None  # the Generator of this process (inherited by forked workers)


def make_chunk(k):
    """Lines of chunk k as bytes, plus corrupt-line and per-format counts."""
    gen = _GEN
    args = gen.args
    rnd = gen.rnd
    rnd.seed("chunk:%d:%d" % (args.seed, k))
    lo, hi = k * CHUNK, min((k + 1) * CHUNK, args.posts)
    corrupt = dict.fromkeys(CORRUPT_KINDS, 0)
    per_format = dict.fromkeys(FORMATS, 0)
    if args.text_only:
        lines = [gen.text_line(i) for i in range(lo, hi)]
        lines.append("")
        return "\n".join(lines).encode(), corrupt, per_format
    mixed = args.format == "mixed"
    cf = args.corrupt_fraction
    pieces = []
    buf = []
    for i in range(lo, hi):
        fmt = gen.fmt_pick.draw(rnd) if mixed else args.format
        line = gen.post_line(i, fmt)
        per_format[fmt] += 1
        if cf and rnd.random() < cf:
            kind = gen.corrupt_pick.draw(rnd)
            corrupt[kind] += 1
            if buf:
                buf.append("")
                pieces.append("\n".join(buf).encode())
                buf = []
            pieces.append(gen.corrupt_line(kind, fmt, line, i) + b"\n")
        buf.append(line)
    buf.append("")
    pieces.append("\n".join(buf).encode())
    return b"".join(pieces), corrupt, per_format


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Deterministic synthetic social-media corpus (NDJSON) for sentistream "
                    "benchmarks.")
    ap.add_argument("--format", choices=FORMATS + ("mixed",), default="canonical",
                    help="output shape; 'mixed' interleaves all five (default canonical)")
    ap.add_argument("--lang", choices=("en", "zh", "mixed"), default="mixed",
                    help="post language; 'mixed' = en/zh by platform (default mixed)")
    ap.add_argument("--posts", type=int, default=1000, help="valid posts to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corrupt-fraction", type=float, default=0.0,
                    help="chance per post of an extra corrupt line before it (default 0)")
    ap.add_argument("--text-only", action="store_true",
                    help="write one post text per line instead of JSON")
    ap.add_argument("--rate", type=float, default=50.0,
                    help="posts per second of event time (default 50)")
    ap.add_argument("--start", default=START_DEFAULT,
                    help="event time of the first post, RFC 3339 (default %s)" % START_DEFAULT)
    ap.add_argument("--out-of-order", type=float, default=0.02,
                    help="fraction of posts whose event time is pushed back (default 0.02)")
    ap.add_argument("--max-delay-s", type=int, default=120,
                    help="largest push-back of an out-of-order post, seconds (default 120)")
    ap.add_argument("--authors", type=int, default=100_000,
                    help="size of the author pool, half en, half zh (default 100000)")
    ap.add_argument("--canonical-millis", action=argparse.BooleanOptionalAction, default=True,
                    help="canonical created_at with milliseconds (default on)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes; the output is the same for any value "
                         "(default: CPU count)")
    ap.add_argument("-o", "--output", required=True, help="output file, '-' for stdout")
    args = ap.parse_args(argv)
    if args.posts < 0 or not 0 <= args.corrupt_fraction < 1 or args.rate <= 0:
        ap.error("--posts >= 0, 0 <= --corrupt-fraction < 1 and --rate > 0 are required")
    if args.authors < 2 or args.max_delay_s < 0 or args.jobs < 1:
        ap.error("--authors >= 2, --max-delay-s >= 0 and --jobs >= 1 are required")
    try:
        parse_rfc3339_ms(args.start)
    except ValueError:
        ap.error("--start %r is not an RFC 3339 time" % args.start)

    global _GEN
    t0 = time.perf_counter()
    _GEN = Generator(args)
    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")
    corrupt = dict.fromkeys(CORRUPT_KINDS, 0)
    per_format = dict.fromkeys(FORMATS, 0)
    nbytes = 0
    nchunks = (args.posts + CHUNK - 1) // CHUNK
    pool = None
    if args.jobs > 1 and nchunks > 1:
        pool = multiprocessing.get_context("fork").Pool(min(args.jobs, nchunks))
        results = pool.imap(make_chunk, range(nchunks))
    else:
        results = map(make_chunk, range(nchunks))
    try:
        for data, c, f in results:
            out.write(data)
            nbytes += len(data)
            for key in c:
                corrupt[key] += c[key]
            for key in f:
                per_format[key] += f[key]
    finally:
        if pool is not None:
            pool.terminate()
    if out is sys.stdout.buffer:
        out.flush()
    else:
        out.close()
    dt = time.perf_counter() - t0
    what = "texts" if args.text_only else "%s posts" % args.format
    print("gen_corpus: wrote %d %s (%s, lang=%s, seed=%d), %d bytes in %.1f s" % (
        args.posts, what, args.output, args.lang, args.seed, nbytes, dt), file=sys.stderr)
    if args.format == "mixed" and not args.text_only:
        print("gen_corpus: posts per format: " + " ".join(
            "%s=%d" % (f, per_format[f]) for f in FORMATS), file=sys.stderr)
    if args.corrupt_fraction and not args.text_only:
        print("gen_corpus: corrupt lines: %d (%s)" % (sum(corrupt.values()), " ".join(
            "%s=%d" % kv for kv in corrupt.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
