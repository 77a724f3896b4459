"""A second copy-maker, written apart from `syndic corpora generate`.

It makes a labelled corpus of scraped pages from real articles (BBC News 2225
and Reuters-21578) the way copies turn up on the web, to measure syndic on
data that its own generator did not shape. Nothing here imports or calls
syndic; the transformations are modelled on what editors, aggregators and
OCR engines do, not on syndic's rules:

* syndicated: the same wire text under another outlet's chrome, with the
  outlet's own byline and dateline, sometimes paragraphs split differently;
* edited: a few of: sentences dropped or inserted, an ad or "Read more" line
  inside the article, a changed byline or dateline, two paragraphs swapped,
  figures spelled out ("five", "per cent"), British or American spelling,
  a corrected word; between 3% and 10% of the words change;
* excerpt: the first 20-60 words (cut at a sentence end or mid-sentence)
  and a "Read the full story at ..." line;
* truncated: the text cut at a random point between 25% and 90%;
* ocr: letters garbled the way OCR garbles them (rn/m, l/1/I, e/c, cl/d,
  broken and merged words, line-end hyphens), 1-3% of letters; and, with
  `--tesseract`, real tesseract output of the text rendered to an image and
  degraded (blur, speckle, low resolution, skew): kind `ocr-tesseract-<level>`;
* quoting (a negative for the origin): another article with one or two
  sentences of the origin quoted in it; it belongs to the quoting article's
  group and must not join the origin's.
* rewrite (with `--rewrites N`): another outlet's own report written from
  the wire copy (new headline, sentences paraphrased, moved, split and
  joined, some left out, a line of its own; names and figures kept), at the
  levels close, loose and brief. Same story, a cluster of its own.

Every page is wrapped in one of 40 outlets' chrome (navigation, promos,
cookie and newsletter lines, related links, footer), as text the way a
scraper's text extraction leaves it. Writes `articles.jsonl`
(id, text, url, source, published) and `labels.tsv` (id, cluster, story,
kind) that `syndic eval --labels` reads; with `--article-only` the chrome is
left out.

    python benches/copies/copymaker.py --bbc ../shared/corpora/bbc \
        --reuters ../shared/corpora/reuters21578 --out /tmp/copies \
        [--tesseract 150] [--origins 800] [--rewrites 400]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import glob
import hashlib
import html
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# --------------------------------------------------------------------------
# Source articles


def bbc_articles(root: Path):
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", "replace")
        lines = [l.strip() for l in raw.splitlines()]
        title = lines[0]
        paras = [l for l in lines[1:] if l]
        yield f"bbc-{path.parent.name}-{path.stem}", title, paras


def reuters_articles(root: Path):
    for path in sorted(root.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for m in re.finditer(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", raw, re.S):
            body = re.search(r"<BODY>(.*?)</BODY>", m.group(2), re.S)
            title = re.search(r"<TITLE>(.*?)</TITLE>", m.group(2), re.S)
            if not body or not title:
                continue
            text = html.unescape(body.group(1)).replace("\x03", "")
            text = re.sub(r"\s*Reuter\s*$", "", text.strip())
            # Reuters bodies are wrapped at ~70 columns; paragraphs start
            # with an indent.
            paras = [
                " ".join(p.split())
                for p in re.split(r"\n\s{2,}|\n\n", text)
                if p.strip()
            ]
            yield f"reuters-{m.group(1)}", html.unescape(title.group(1)).strip(), paras


def words(paras):
    return sum(len(p.split()) for p in paras)


# --------------------------------------------------------------------------
# Outlets and their chrome

CITIES = ["LONDON", "NEW YORK", "WASHINGTON", "PARIS", "TOKYO", "SYDNEY", "CHICAGO", "BRUSSELS"]
FIRST = ["Anna", "James", "Priya", "Tom", "Maria", "Kenji", "Laura", "Sam", "Olu", "Grace"]
LAST = ["Moreno", "Clarke", "Okafor", "Berg", "Nakamura", "Walsh", "Haddad", "Lindqvist"]


class Outlet:
    def __init__(self, i: int, rng: random.Random):
        stems = ["Herald", "Courier", "Gazette", "Post", "Ledger", "Observer", "Tribune", "Times",
                 "Sentinel", "Dispatch"]
        places = ["Riverside", "Northfield", "Bay City", "Eastbrook", "Lakeshore", "Hillview",
                  "Westgate", "Summit"]
        self.name = f"The {places[i % len(places)]} {stems[i % len(stems)]}" + ("" if i < 10 else f" {i}")
        self.host = re.sub(r"[^a-z0-9]+", "", self.name.lower().replace("the ", "")) + ".example"
        self.style = i % 4
        sections = rng.sample(["News", "World", "Business", "Markets", "Politics", "Sport", "Tech",
                               "Culture", "Opinion", "Video", "Weather", "Local", "Science"], 7)
        sep = [" | ", " · ", "  ", " / "][self.style]
        self.nav = sep.join(["Home"] + sections)
        self.promo = rng.choice([
            f"Subscribe to {self.name} for $1 a week. Cancel anytime.",
            "Get the morning briefing in your inbox. Sign up now",
            f"Download the {self.name} app for breaking news alerts",
            "Join our Telegram channel for the latest updates",
        ])
        self.cookie = rng.choice([
            "We use cookies to improve your experience. By continuing you accept our cookie policy. Accept",
            "This site uses cookies. Manage preferences | Accept all",
            "",
        ])
        self.footer = [
            f"© 2026 {self.name}. All rights reserved.",
            sep.join(["About us", "Contact", "Advertise", "Privacy policy", "Terms of use"]),
        ]
        self.share = rng.choice(["Share this article", "Share: Facebook Twitter Email", "SHARE", ""])
        self.ad = rng.choice(["ADVERTISEMENT", "Advertisement", "Story continues below advertisement",
                              "- Advertisement -"])

    def byline(self, rng: random.Random, wire: bool) -> str:
        if wire and rng.random() < 0.5:
            return rng.choice(["By Reuters Staff", "Reuters", "From wire reports", "Associated Press"])
        return f"By {rng.choice(FIRST)} {rng.choice(LAST)}" + rng.choice(["", f", {self.name}", " | Staff writer"])

    def page(self, title, paras, when, rng, related, chrome=True, byline=None):
        date = when.strftime(rng.choice(["%d %B %Y", "%B %d, %Y %H:%M", "%Y-%m-%d"]))
        body = [title, byline or self.byline(rng, False), f"Published {date}"]
        body += paras
        if not chrome:
            return "\n".join(body)
        top = [self.name, self.nav]
        if self.cookie:
            top.append(self.cookie)
        top.append(rng.choice(["Breaking", "Trending", "Live"]) + ": " + related[0])
        out = top + body
        if self.share:
            out.append(self.share)
        out.append(rng.choice(["Related stories", "More from " + self.name, "You may also like", "Read next"]))
        out += related[1:4]
        out.append(self.promo)
        out += self.footer
        return "\n".join(out)


# --------------------------------------------------------------------------
# Edits an editor makes

UK_US = {
    "colour": "color", "colours": "colors", "favour": "favor", "favourite": "favorite",
    "labour": "labor", "honour": "honor", "behaviour": "behavior", "neighbour": "neighbor",
    "centre": "center", "centres": "centers", "theatre": "theater", "metre": "meter",
    "programme": "program", "programmes": "programs", "defence": "defense", "offence": "offense",
    "licence": "license", "travelled": "traveled", "travelling": "traveling",
    "cancelled": "canceled", "analyse": "analyze", "catalogue": "catalog", "cheque": "check",
    "tyre": "tire", "jewellery": "jewelry", "grey": "gray", "mould": "mold", "plough": "plow",
    "organisation": "organization", "organisations": "organizations", "realise": "realize",
    "realised": "realized", "recognise": "recognize", "recognised": "recognized",
    "criticised": "criticized", "privatisation": "privatization", "emphasise": "emphasize",
    "apologise": "apologize", "authorised": "authorized", "minimise": "minimize",
    "per cent": "percent", "whilst": "while", "amongst": "among", "towards": "toward",
}
US_UK = {v: k for k, v in UK_US.items()}
SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen", "twenty"]
INSERTS = [
    "The company did not immediately respond to a request for comment.",
    "Officials declined to give further details.",
    "This story has been updated with additional information.",
    "Analysts said the move had been widely expected.",
    "Shares in the sector were little changed in early trading.",
    "A spokesperson said a statement would follow later on Tuesday.",
    "Correction: an earlier version of this article misstated a date.",
]


def words_re(table: dict) -> re.Pattern:
    """A pattern matching any key of `table` as a whole word, longest first."""
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, keys)) + r")\b", re.I)


# Each spelling table with its pattern, compiled once.
TO_US = (UK_US, words_re(UK_US))
TO_UK = (US_UK, words_re(US_UK))


def respell(text: str, spelling: tuple[dict, re.Pattern]) -> str:
    table, pattern = spelling

    def one(m):
        w = m.group(0)
        r = table.get(w.lower())
        if r is None:
            return w
        return r.capitalize() if w[0].isupper() else r
    return pattern.sub(one, text)


def wire_units(text: str) -> str:
    """Wire-style "mln" and "bln" spelled out."""
    return re.sub(r"\b(mln|bln)\b", lambda m: "million" if m.group(1) == "mln" else "billion", text)


def spell_numbers(text: str, rng: random.Random) -> str:
    def one(m):
        n = int(m.group(1))
        return SMALL[n] if n <= 20 and rng.random() < 0.8 else m.group(0)
    text = re.sub(r"(?<![\d.,$£€])\b(\d{1,2})\b(?![\d.,%])", one, text)
    text = re.sub(r"(\d)%", lambda m: m.group(1) + rng.choice([" per cent", " percent"]), text)
    text = re.sub(r"(\d)(bn|m)\b", lambda m: m.group(1) + (" billion" if m.group(2) == "bn" else " million"), text)
    return wire_units(text)


def sentences(p: str):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", p) if s]


def edit(paras, rng: random.Random, related):
    """An edited copy: several small editorial changes (3-10% of words)."""
    paras = list(paras)
    n = words(paras)
    budget = max(2, int(n * rng.uniform(0.03, 0.10)))
    changed = 0
    ops = ["drop", "insert", "ad", "swap", "numbers", "spelling", "word"]
    rng.shuffle(ops)
    for op in ops * 3:
        if changed >= budget:
            break
        if op == "drop" and len(paras) > 2:
            i = rng.randrange(1, len(paras))
            ss = sentences(paras[i])
            if len(ss) > 1:
                k = rng.randrange(len(ss))
                changed += len(ss[k].split())
                del ss[k]
                paras[i] = " ".join(ss)
            elif len(ss[0].split()) < budget - changed:
                changed += len(ss[0].split())
                del paras[i]
        elif op == "insert":
            s = rng.choice(INSERTS)
            i = rng.randrange(1, len(paras) + 1)
            paras.insert(i, s)
            changed += len(s.split())
        elif op == "ad" and len(paras) > 2:
            i = rng.randrange(1, len(paras))
            line = rng.choice(["ADVERTISEMENT", "Read more: " + related[-1], "RELATED: " + related[1],
                               "Sign up for our newsletter"])
            paras.insert(i, line)
            changed += min(3, len(line.split()))
        elif op == "swap" and len(paras) > 3:
            i = rng.randrange(1, len(paras) - 1)
            paras[i], paras[i + 1] = paras[i + 1], paras[i]
            changed += 2
        elif op == "numbers":
            before = " ".join(paras)
            paras = [spell_numbers(p, rng) for p in paras]
            changed += sum(a != b for a, b in zip(before.split(), " ".join(paras).split())) // 2 + 1
        elif op == "spelling":
            spelling = TO_UK if rng.random() < 0.5 else TO_US
            before = " ".join(paras)
            paras = [respell(p, spelling) for p in paras]
            changed += sum(a != b for a, b in zip(before.split(), " ".join(paras).split())) // 2 + 1
        elif op == "word":
            i = rng.randrange(len(paras))
            ws = paras[i].split()
            if len(ws) > 4:
                k = rng.randrange(len(ws))
                ws[k] = rng.choice(["also", "reportedly", "still", "now", "further"]) + " " + ws[k]
                paras[i] = " ".join(ws)
                changed += 1
    return paras


def excerpt(paras, rng: random.Random, outlet_name: str, url: str):
    text = " ".join(paras)
    ws = text.split()
    n = rng.randint(20, 60)
    cut = " ".join(ws[:n])
    if rng.random() < 0.5:
        # End at the last sentence end inside the cut when there is one.
        m = list(re.finditer(r"[.!?](?=\s|$)", cut))
        if m and m[-1].end() > len(cut) // 2:
            cut = cut[: m[-1].end()]
    else:
        cut += "..."
    more = rng.choice([
        f"Read the full story at {outlet_name}",
        f"Continue reading at {url}",
        f"Full article: {url}",
        f"This is an excerpt. Read more on {outlet_name}.",
    ])
    return [cut, more]


def truncate(paras, rng: random.Random):
    ws = " ".join(paras).split()
    keep = int(len(ws) * rng.uniform(0.25, 0.9))
    # Keep paragraph breaks up to the cut.
    out, seen = [], 0
    for p in paras:
        pw = p.split()
        if seen + len(pw) >= keep:
            out.append(" ".join(pw[: keep - seen]))
            break
        out.append(p)
        seen += len(pw)
    return out


# --------------------------------------------------------------------------
# Rewrites: another outlet's own report, written from the wire copy
#
# Modelled on what a newsroom (or a language model) does to a wire story it
# re-reports: a new headline, the lead recast, sentences paraphrased (words
# swapped for near-synonyms, attributions moved, figures reformatted, long
# sentences split and short ones joined), a share of the body left out, a
# later paragraph moved up, quotes kept or turned into reported speech, and
# a line or two of the outlet's own. Names and figures stay: they are the
# facts. Same story, not the same text: its group is the origin's story but
# a cluster of its own.

# Lower-case words only, so that names ("Bank of England") stay.
SYNONYMS = {
    "said": ["stated", "told reporters", "noted", "added"], "says": ["states", "notes"],
    "company": ["firm", "group"], "companies": ["firms", "groups"], "firm": ["company"],
    "rose": ["climbed", "increased", "gained", "went up"], "rise": ["increase", "gain", "climb"],
    "fell": ["dropped", "declined", "slipped", "went down"], "fall": ["drop", "decline"],
    "increase": ["rise", "gain"], "increased": ["raised", "lifted"], "decrease": ["drop", "fall"],
    "buy": ["acquire", "purchase"], "bought": ["acquired", "purchased"], "sell": ["offload", "dispose of"],
    "sold": ["offloaded", "disposed of"], "announced": ["unveiled", "disclosed", "revealed"],
    "expected": ["anticipated", "forecast"], "expects": ["anticipates", "forecasts"],
    "government": ["administration", "authorities"], "officials": ["authorities", "sources"],
    "also": ["additionally", "as well"], "however": ["but", "though"],
    "because": ["as", "since"], "big": ["large", "major"], "large": ["big", "sizeable"],
    "major": ["key", "leading"], "important": ["key", "significant"], "help": ["assist", "aid"],
    "need": ["require"], "needs": ["requires"], "showed": ["indicated", "revealed"],
    "shows": ["indicates"], "began": ["started"], "begin": ["start"], "start": ["begin"],
    "ended": ["concluded", "finished"], "statement": ["release", "written statement"],
    "spokesman": ["spokesperson", "representative"], "talks": ["negotiations", "discussions"],
    "deal": ["agreement", "accord"], "agreement": ["deal", "accord"], "proposal": ["plan"],
    "profit": ["earnings"], "profits": ["earnings"], "sales": ["revenue"], "revenues": ["sales"],
    "stake": ["holding", "interest"], "bank": ["lender"], "banks": ["lenders"], "oil": ["crude"],
    "country": ["nation"], "countries": ["nations"], "earlier": ["previously"], "currently": ["now"],
    "recently": ["lately"], "very": ["highly"], "many": ["numerous", "a lot of"], "several": ["a number of"],
    "could": ["might"], "may": ["might"], "reduce": ["lower", "trim"], "raise": ["lift"], "raised": ["lifted"],
    "new": ["fresh"], "chairman": ["chair"], "acquisition": ["takeover", "purchase"], "merger": ["combination"],
    "offer": ["bid"], "bid": ["offer"], "workers": ["employees", "staff"], "employees": ["staff", "workers"],
    "jobs": ["positions", "posts"], "strike": ["walkout", "stoppage"], "election": ["vote", "poll"],
    "growth": ["expansion"], "production": ["output"], "output": ["production"], "decision": ["move"],
    "decided": ["chose", "opted"], "people": ["individuals", "persons"], "police": ["officers", "authorities"],
    "meeting": ["session", "gathering"], "plans": ["intends"], "plan": ["scheme", "proposal"],
    "told": ["informed"], "reported": ["posted", "recorded"], "total": ["overall"], "level": ["mark"],
    "week": ["seven days"], "month": ["four weeks"], "higher": ["up"], "lower": ["down"],
    "said it": ["announced it", "confirmed it"], "last year": ["a year ago"], "in the last year": ["over the past twelve months"],
    "this year": ["in the current year"], "next year": ["in the coming year"],
    "chief executive": ["CEO", "boss"], "in order to": ["to"], "as well as": ["and"],
    "according to": ["citing", "as reported by"], "per share": ["a share"], "at least": ["no fewer than"],
}
OWN_LINES = [
    "The news was first reported by the wire services.",
    "It was not immediately clear what the move would mean for consumers.",
    "Markets had been watching for the announcement for several days.",
    "Details were still emerging on {day}.",
    "Our reporters are following the story and will bring updates.",
    "Critics said the step came too late.",
    "The figures are the latest in a series of closely watched reports.",
    "Industry observers called the development significant.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Inc|Co|Corp|Ltd|Mr|Mrs|Ms|Dr|St|Jr|No|Gen|Sen|Rep|Gov|Jan|Feb|Aug|Sept|Oct|Nov|Dec))\.$")


def rewrite_sentences(p: str):
    """Sentences, not split after an initial or an abbreviation ("E.F. Hutton", "U.S. Virgin")."""
    out = []
    for s in sentences(p):
        if out and ABBREV.search(out[-1]):
            out[-1] += " " + s
        else:
            out.append(s)
    return out


# The table's keys, longest first ("in the last year" before "last year").
SYNONYM_RE = words_re(SYNONYMS)


def paraphrase(s: str, rng: random.Random, rate: float) -> str:
    """One sentence reworded: near-synonyms, figures in another style."""
    def one(m):
        w = m.group(0)
        if w[0].isupper() and m.start() > 0 or rng.random() >= rate:
            return w  # a capital inside a sentence is a name
        r = rng.choice(SYNONYMS[w.lower()])
        return upper_first(r) if w[0].isupper() else r

    s = SYNONYM_RE.sub(one, s)
    # Wire style figures to newspaper style and back.
    s = re.sub(r"(\d[\d.,]*)\s+(mln|million)\s+dlrs", lambda m: f"${m.group(1)} million", s)
    s = re.sub(r"(\d[\d.,]*)\s+(bln|billion)\s+dlrs", lambda m: f"${m.group(1)} billion", s)
    s = re.sub(r"(\d[\d.,]*)\s+dlrs", lambda m: f"${m.group(1)}", s)
    s = re.sub(r"(\d)\s*(pct|per cent|percent)\b", lambda m: m.group(1) + rng.choice(["%", " percent"]), s)
    return wire_units(s)


LEADING = ("The ", "A ", "An ", "It ", "He ", "She ", "They ", "We ", "This ", "That ", "Its ", "There ")


def lower_first(s: str) -> str:
    """A sentence's first word in lower case when it is a plain word (names stay)."""
    return s[0].lower() + s[1:] if s.startswith(LEADING) else s


def upper_first(s: str) -> str:
    return s[0].upper() + s[1:]


def recast(s: str) -> str:
    """Attribution moved: "Y, X said." becomes "X said that Y." and back."""
    speaker = r"(?:he|she|they|it|the [a-z]+|[A-Z][\w.]+(?: [A-Z][\w.]+){0,3})"
    m = re.match(r"^(.{25,}?),\s+(" + speaker + r"\s+(?:said|says|added))\.$", s)
    if m and not m.group(1).startswith(("\"", "“")):
        return f"{upper_first(m.group(2))} that {lower_first(m.group(1))}."
    m = re.match(r"^(" + speaker + r" said)(?: that)? (.{25,})\.$", s)
    if m:
        return f"{upper_first(m.group(2))}, {lower_first(m.group(1))}."
    return s


def reported_speech(s: str) -> str:
    """A direct quote turned into reported speech: the quote marks go."""
    return re.sub(r"[\"“”]", "", s).strip()


def split_join(ss: list[str], rng: random.Random) -> list[str]:
    out = []
    for s in ss:
        m = re.search(r"(.{40,}?)(?:; |, and |, but | while )(.{30,})$", s)
        if m and rng.random() < 0.5:
            out += [m.group(1).rstrip(",;") + ".", upper_first(m.group(2))]
        elif out and len(s.split()) < 14 and len(out[-1].split()) < 14 and rng.random() < 0.5:
            out[-1] = out[-1].rstrip(".") + ", and " + lower_first(s)
        else:
            out.append(s)
    return out


def headline(title: str, lead: str, rng: random.Random, rate: float) -> str:
    """Another outlet's headline: the wire's reworded, or the lead's opening words."""
    t = title.strip()
    if t.isupper():
        t = t.title()
    if rng.random() < 0.5:
        t = upper_first(paraphrase(lower_first(t), rng, rate))
    else:
        ws = re.sub(r"^(?:[A-Z ,]+\s*,\s*\w+ \d+\s*-\s*|\w+ \(Reuters\) - )", "", lead).split()
        t = " ".join(ws[: rng.randint(7, 11)]).rstrip(",;:")
    return t


def rewrite(paras, title, rng: random.Random, level: str, when: dt.datetime):
    """Another outlet's report of the same event written from this one."""
    # close: most of it, lightly reworded; loose: reworded, a share left out;
    # brief: a short item of the lead and two to four facts.
    rate, keep, quotes, moves = {"close": (0.35, 0.85, 0.8, 0), "loose": (0.75, 0.6, 0.4, 1),
                                 "brief": (0.75, 0.6, 0.3, 1)}[level]
    ss = [s for p in paras for s in rewrite_sentences(p)]
    if not ss:
        return title, list(paras)
    lead, body = ss[0], ss[1:]
    # The lead is always kept (reworded); the body keeps a share of its
    # sentences, those with figures likelier (they are the news).
    kept = [s for s in body if rng.random() < (keep + 0.15 if re.search(r"\d", s) else keep - 0.1)]
    if not kept and body:
        kept = body[:1]
    if level == "brief":
        kept = kept[: rng.randint(2, 4)]
    for _ in range(moves):  # a later sentence moved up, as a rewriter leads with what matters
        if len(kept) > 3:
            s = kept.pop(rng.randrange(2, len(kept)))
            kept.insert(0, s)
    out = []
    for s in [lead] + kept:
        if re.search(r"[\"“”]", s) and rng.random() >= quotes:
            s = reported_speech(s)
        if rng.random() < 0.6:
            s = recast(s)
        out.append(paraphrase(s, rng, rate))
    out = split_join(out, rng)
    for _ in range(rng.randint(1, 2)):
        line = rng.choice(OWN_LINES).format(day=DAYS[when.weekday()])
        out.insert(rng.randint(2, max(2, len(out))), line)
    # Paragraphs of one to three sentences, as the outlet writes them.
    new, i = [], 0
    while i < len(out):
        k = rng.randint(1, 3)
        new.append(" ".join(out[i:i + k]))
        i += k
    return headline(title, out[0], rng, rate), new


# --------------------------------------------------------------------------
# OCR-like noise (a model of what OCR engines confuse), 1-3% of letters

CONFUSE = [
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("l", "1"), ("1", "l"), ("I", "l"),
    ("l", "I"), ("O", "0"), ("0", "O"), ("e", "c"), ("c", "e"), ("h", "b"), ("b", "h"),
    ("u", "v"), ("n", "u"), ("i", "l"), ("t", "f"), ("S", "5"), ("5", "S"), ("a", "o"),
    ("fi", "ti"), ("vv", "w"), ("w", "vv"), (",", "."), (".", ","), ("B", "8"), ("g", "q"),
]


def ocr_noise(paras, rng: random.Random, rate: float):
    out = []
    for p in paras:
        s = list(p)
        letters = sum(ch.isalnum() for ch in s)
        hits = max(0, int(round(letters * rate * rng.uniform(0.7, 1.3))))
        text = p
        for _ in range(hits):
            r = rng.random()
            i = rng.randrange(max(1, len(text)))
            if r < 0.7:
                a, b = rng.choice(CONFUSE)
                j = text.find(a, i)
                if j < 0:
                    j = text.find(a)
                if j >= 0:
                    text = text[:j] + b + text[j + len(a):]
            elif r < 0.8 and text[i:i + 1] == " ":
                text = text[:i] + text[i + 1:]  # two words run together
            elif r < 0.9 and text[i:i + 1].isalpha():
                text = text[:i] + " " + text[i:]  # a word broken
            elif text[i:i + 1].isalpha():
                text = text[:i] + rng.choice(["", "'", ".", "~", ","]) + text[i + 1:]
        # Line-end hyphenation that OCR keeps.
        ws = text.split(" ")
        for _ in range(len(ws) // 40):
            k = rng.randrange(len(ws))
            w = ws[k]
            if len(w) > 6 and w.isalpha():
                c = rng.randrange(2, len(w) - 2)
                ws[k] = w[:c] + "- " + w[c:]
        out.append(" ".join(ws))
    return out


# --------------------------------------------------------------------------
# Real OCR: render, degrade, tesseract

# Every page is rendered in one of these, chosen by its seed. All four must
# be there (Debian: fonts-dejavu-core, fonts-liberation): with a font
# missing the choice falls on others, and the OCR set is another set (with
# DejaVu alone, 354 of 400 heavy scans are found against 286).
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


@functools.lru_cache(maxsize=None)
def tesseract_version() -> str:
    """The first line of `tesseract --version` (another version reads the
    same image differently); raises when tesseract cannot be run."""
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def check_ocr_tools():
    """Exits with what to install when tesseract, Pillow or a font of FONTS
    is missing: the OCR set would otherwise be made differently, or not at all."""
    missing = [f for f in FONTS if not os.path.exists(f)]
    if missing:
        sys.exit("--tesseract renders with all of these fonts; missing: " + ", ".join(missing)
                 + " (Debian: apt-get install fonts-dejavu-core fonts-liberation)")
    try:
        import PIL  # noqa: F401
    except ImportError:
        sys.exit("--tesseract needs Pillow (pip install pillow)")
    try:
        tesseract_version()
    except (OSError, subprocess.CalledProcessError):
        sys.exit("--tesseract needs tesseract on the PATH (Debian: apt-get install tesseract-ocr)")


LEVELS = {
    # name: (font px at 300 dpi, blur radius, speckle share, downscale, rotate degrees)
    "light": (30, 0.6, 0.002, 1.0, 0.3),
    "medium": (26, 1.0, 0.01, 0.55, 0.8),
    "heavy": (22, 1.2, 0.02, 0.42, 1.2),
}


def ocr_cache_key(level: str, seed: int, font: str, version: str, text: str) -> str:
    """A page's file name in the tesseract cache: everything its OCR text
    depends on, so that a cache made with another font list or another
    tesseract is not read as this one's."""
    return hashlib.sha1(f"{level}:{seed}:{font}:{version}:{text}".encode()).hexdigest()


def render_ocr(paras, level: str, seed: int, cache: Path) -> list[str]:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    text = "\n".join(paras)
    rng = random.Random(seed)
    font_path = rng.choice(FONTS)
    key = ocr_cache_key(level, seed, font_path, tesseract_version(), text)
    hit = cache / f"{key}.txt"
    if hit.exists():
        return [l for l in hit.read_text().split("\n") if l.strip()]
    size, blur, speckle, scale, rot = LEVELS[level]
    font = ImageFont.truetype(font_path, size)
    width = rng.choice([1100, 1400, 1800, 2200])
    lines = []
    for p in paras:
        line = ""
        for w in p.split():
            t = (line + " " + w).strip()
            if font.getlength(t) > width - 200:
                lines.append(line)
                line = w
            else:
                line = t
        lines.append(line)
        lines.append("")
    height = int(len(lines) * size * 1.35) + 200
    img = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(img)
    y = 100
    for line in lines:
        d.text((100, y), line, font=font, fill=rng.randint(0, 60))
        y += int(size * 1.35)
    img = img.rotate(rng.uniform(-rot, rot), expand=False, fillcolor=255, resample=Image.BICUBIC)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if scale < 1.0:
        small = img.resize((int(width * scale), int(height * scale)), Image.BILINEAR)
        img = small.resize((width, height), Image.BILINEAR)
    px = img.load()
    for _ in range(int(width * height * speckle / 50)):
        x, yy = rng.randrange(width), rng.randrange(height)
        v = 0 if rng.random() < 0.5 else 255
        for dx in range(rng.randint(1, 3)):
            for dy in range(rng.randint(1, 3)):
                if x + dx < width and yy + dy < height:
                    px[x + dx, yy + dy] = v
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        img.save(png)
        out = subprocess.run(["tesseract", str(png), "-", "--psm", "6", "-l", "eng"],
                             capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    result = out.stdout
    hit.write_text(result)
    return [l for l in result.split("\n") if l.strip()]


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bbc", type=Path)
    ap.add_argument("--reuters", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--origins", type=int, default=800, help="articles that get copies, per source")
    ap.add_argument("--tesseract", type=int, default=0, help="articles per source OCR'd by tesseract at each level")
    ap.add_argument("--levels", default="light,medium")
    ap.add_argument("--rewrites", type=int, default=0,
                    help="articles per source that get another outlet's rewrite at each rewrite level")
    ap.add_argument("--rewrite-levels", default="close,loose,brief")
    ap.add_argument("--article-only", action="store_true", help="leave out the outlets' chrome")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    rng = random.Random(args.seed)
    outlets = [Outlet(i, rng) for i in range(40)]
    sources = []
    if args.bbc:
        sources.append(("bbc", list(bbc_articles(args.bbc))))
    if args.reuters:
        sources.append(("reuters", list(reuters_articles(args.reuters))))
    if not sources:
        sys.exit("give --bbc and/or --reuters")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.tesseract:
        check_ocr_tools()
    cache = args.out / "tesseract-cache"
    cache.mkdir(exist_ok=True)
    pages, labels, ocr_jobs, rewrite_jobs = [], [], [], []
    base = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.timezone.utc)

    def origin_time(k):
        """When the `k`th article of a source's shuffle is first published."""
        return base + dt.timedelta(minutes=37 * k)

    def add(doc_id, group, kind, outlet, title, paras, when, chrome=True, byline=None, story=None):
        related = [t for t in rng.sample(all_titles, 5)]
        text = outlet.page(title, paras, when, rng, related, chrome=chrome and not args.article_only,
                           byline=byline)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower())[:60].strip("-")
        pages.append({"id": doc_id, "text": text, "url": f"https://{outlet.host}/{when:%Y/%m/%d}/{slug}-{len(pages)}",
                      "source": outlet.host, "published": when.isoformat().replace("+00:00", "Z")})
        labels.append((doc_id, group, story or group, kind))

    all_titles = [t for _, arts in sources for _, t, _ in arts]
    for name, arts in sources:
        seen_grams = {}
        arts = [a for a in arts if words(a[2]) >= 60]
        # The sources hold real near-duplicates of their own (BBC's repeated
        # files, Reuters' re-filings and templated reports): keep one article
        # of each, so that the labels are right. An article goes when a third
        # of its word 8-grams were seen in an earlier one.
        unique = []
        for a in arts:
            ws = re.findall(r"\w+", " ".join(a[2]).lower())
            grams = {hash(tuple(ws[i:i + 8])) for i in range(max(1, len(ws) - 7))}
            owners = collections.Counter(seen_grams.get(g) for g in grams if g in seen_grams)
            if owners and owners.most_common(1)[0][1] >= len(grams) / 3:
                continue
            for g in grams:
                seen_grams.setdefault(g, len(unique))
            unique.append(a)
        rng.shuffle(unique)
        copied = unique[: args.origins]
        for n, (key, title, paras) in enumerate(unique):
            when = origin_time(n)
            home = rng.choice(outlets)
            add(key, key, "origin", home, title, paras, when)
            if n >= len(copied):
                continue
            others = [o for o in outlets if o is not home]
            later = lambda: when + dt.timedelta(minutes=rng.randint(20, 3000))
            o = rng.choice(others)
            synd = paras
            if rng.random() < 0.3 and len(paras) > 1:  # paragraphs joined differently
                i = rng.randrange(len(paras) - 1)
                synd = paras[:i] + [paras[i] + " " + paras[i + 1]] + paras[i + 2:]
            add(f"{key}-syndicated", key, "syndicated", o, title, synd, later(), byline=o.byline(rng, True))
            o = rng.choice(others)
            add(f"{key}-edited", key, "edited", o, title, edit(paras, rng, rng.sample(all_titles, 4)), later())
            o = rng.choice(others)
            url = f"https://{home.host}/story/{n}"
            add(f"{key}-excerpt", key, "excerpt", o, title, excerpt(paras, rng, home.name, url), later())
            o = rng.choice(others)
            add(f"{key}-truncated", key, "truncated", o, title, truncate(paras, rng), later())
            o = rng.choice(others)
            add(f"{key}-ocr", key, "ocr", o, title, ocr_noise(paras, rng, rng.uniform(0.01, 0.03)), later())
            if n % 4 == 0 and n + 1 < len(unique):
                # A different article that quotes one paragraph of this one.
                q = len(unique) - 1 - n // 4
                qkey, qtitle, qparas = unique[q]
                # One or two sentences from the body, 15-45 words: what a
                # news page quotes (its own generator, so the others' stay put).
                qrng = random.Random(f"{args.seed}:{key}")
                ss = [x for p in paras[1:] for x in sentences(p)] or sentences(paras[0])
                k = qrng.randrange(len(ss))
                quote = ss[k]
                while len(quote.split()) < 15 and k + 1 < len(ss):
                    k += 1
                    quote += " " + ss[k]
                quote = " ".join(quote.split()[:45])
                qp = list(qparas)
                qp.insert(min(2, len(qp)), f'As {home.name} reported: "{quote}"')
                # After both the quoted article and its own (the quoting
                # article's origin): a copy is never older than its origin.
                qo = rng.choice(others)
                qwhen = max(when, origin_time(q)) + (later() - when)
                add(f"{qkey}-quotes-{key}", qkey, "quoting", qo, qtitle, qp, qwhen)
            if n < args.rewrites:
                # Its own random stream, so that the other pages are the same
                # with and without rewrites.
                for level in args.rewrite_levels.split(","):
                    rrng = random.Random(f"{args.seed}:rewrite:{key}:{level}")
                    rwhen = when + dt.timedelta(minutes=rrng.randint(30, 2000))
                    rtitle, rparas = rewrite(paras, title, rrng, level, rwhen)
                    rewrite_jobs.append((f"{key}-rewrite-{level}", f"{key}-rewrite-{level}", f"rewrite-{level}",
                                         rrng.choice(others), rtitle, rparas, rwhen, key))
            if n < args.tesseract:
                for level in args.levels.split(","):
                    ocr_jobs.append((f"{key}-tess-{level}", key, f"ocr-tesseract-{level}", rng.choice(others),
                                     title, paras, later(), level, rng.randrange(1 << 30)))

    def run(job):
        return job, render_ocr(job[5], job[7], job[8], cache)

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for k, (job, text) in enumerate(pool.map(run, ocr_jobs)):
            doc_id, group, kind, outlet, title, _, when, _, _ = job
            add(doc_id, group, kind, outlet, title, text, when)
            if k % 50 == 0:
                print(f"tesseract {k}/{len(ocr_jobs)}", file=sys.stderr)
    for doc_id, group, kind, outlet, title, paras, when, story in rewrite_jobs:
        add(doc_id, group, kind, outlet, title, paras, when, story=story)
    order = list(range(len(pages)))
    rng.shuffle(order)
    with open(args.out / "articles.jsonl", "w") as f:
        for i in order:
            f.write(json.dumps(pages[i], ensure_ascii=False) + "\n")
    with open(args.out / "labels.tsv", "w") as f:
        f.write("id\tcluster\tstory\tkind\n")
        for i in order:
            f.write("\t".join(labels[i]) + "\n")
    kinds = {}
    for l in labels:
        kinds[l[3]] = kinds.get(l[3], 0) + 1
    print(f"{len(pages)} pages: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
