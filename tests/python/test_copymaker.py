"""The second copy-maker's rewrites (benches/copies/copymaker.py --rewrites).

The README's rewrite-recall figures come from these pages, so what the
README says of them is checked here: a rewrite keeps the origin's names and
figures but not its wording, it is the origin's story in a cluster of its
own, and the other pages are the same with and without rewrites.
"""

import importlib.util
import json
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benches" / "copies" / "copymaker.py"

spec = importlib.util.spec_from_file_location("copymaker", SCRIPT)
copymaker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(copymaker)

WIRE = [
    "Calumet Industries Inc said it raised 4.2 mln dlrs from holders exercising company "
    "warrants, the company said on Tuesday in Chicago.",
    "It issued 420,000 shares to holders who had exercised options to exchange four warrants "
    "and 10 dlrs for each share of common stock. About 87 pct of its warrants were exercised.",
    "These proceeds and another 14 mln dlrs from the sale of notes will provide long term "
    "financing for its HydroCal 2 heavy hydrotreating system under construction at its "
    "Princeton, La., refinery, the company said.",
    "The company said it expects the system to be completed in the third quarter, and that "
    "output at the Princeton refinery would rise by about 15 pct.",
    "E.F. Hutton Group Inc advised Calumet on the offering, which began in January.",
]


def grams(text, n=5):
    ws = re.findall(r"\w+", text.lower())
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def figures(text):
    return set(re.findall(r"\d[\d.,]*\d|\d", text))


def test_a_rewrite_keeps_names_and_figures_but_not_the_wording():
    origin = " ".join(WIRE)
    for level in ("close", "loose", "brief"):
        for seed in range(20):
            title, paras = copymaker.rewrite(
                WIRE, "CALUMET GETS 4.2 MLN DLRS FROM WARRANTS", random.Random(seed), level,
                copymaker.dt.datetime(2026, 3, 3, 9, 0))
            text = " ".join(paras)
            # Every figure it states is one of the wire's.
            assert figures(text) <= figures(origin), (level, seed, text)
            # The lead, recast or not, still names the company.
            assert "Calumet Industries Inc" in text, (level, seed, text)
            # Initials and abbreviations do not end a sentence.
            assert "E.F, " not in text and not re.search(r"\bE\.\s*$", text)
            assert title and title != "CALUMET GETS 4.2 MLN DLRS FROM WARRANTS"
            shared = len(grams(text) & grams(origin)) / len(grams(text))
            assert shared < 0.95, (level, seed, shared)
    # The same random stream gives the same rewrite.
    a = copymaker.rewrite(WIRE, "T", random.Random(7), "loose", copymaker.dt.datetime(2026, 3, 3))
    b = copymaker.rewrite(WIRE, "T", random.Random(7), "loose", copymaker.dt.datetime(2026, 3, 3))
    assert a == b


def test_a_brief_rewrite_is_the_lead_and_a_few_facts():
    for seed in range(20):
        _, paras = copymaker.rewrite(WIRE, "T", random.Random(seed), "brief",
                                     copymaker.dt.datetime(2026, 3, 3))
        close = copymaker.rewrite(WIRE, "T", random.Random(seed), "close",
                                  copymaker.dt.datetime(2026, 3, 3))[1]
        assert len(" ".join(paras).split()) < len(" ".join(close).split())


def run(tmp_path, name, *extra):
    out = tmp_path / name
    subprocess.run([sys.executable, str(SCRIPT), "--bbc", str(tmp_path / "bbc"), "--out", str(out),
                    *extra], check=True, capture_output=True)
    pages = [json.loads(l) for l in open(out / "articles.jsonl")]
    labels = [l.rstrip("\n").split("\t") for l in open(out / "labels.tsv")][1:]
    return pages, labels


def fake_bbc(tmp_path, per_section):
    """A BBC-like folder of made-up articles, `per_section` in each of two sections."""
    rng = random.Random(1)
    words = "harbour council vote budget ferry station minister report storm river".split()
    for section in ("business", "politics"):
        (tmp_path / "bbc" / section).mkdir(parents=True)
        for k in range(per_section):
            paras = [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "."
                     for _ in range(8)]
            body = f"Headline {section} {k}\n\n" + "\n\n".join(paras)
            (tmp_path / "bbc" / section / f"{k:03}.txt").write_text(body)


def test_no_page_is_older_than_its_origin(tmp_path):
    # A quoting page is a copy of a later article (it quotes an earlier
    # one): it was once dated after the article it quotes only, and so,
    # as its cluster's earliest page, passed for the origin and carried
    # the quote into the story level.
    fake_bbc(tmp_path, 20)
    pages, labels = run(tmp_path, "dated", "--rewrites", "3")
    when = {p["id"]: p["published"] for p in pages}
    assert any(kind == "quoting" for *_, kind in labels)
    for doc_id, _, story, kind in labels:
        assert when[doc_id] >= when[story], (doc_id, kind, when[doc_id], when[story])


def test_rewrites_are_their_origins_story_and_leave_the_other_pages_as_they_were(tmp_path):
    fake_bbc(tmp_path, 4)
    plain, _ = run(tmp_path, "plain")
    with_rw, labels = run(tmp_path, "rw", "--rewrites", "3")
    rewrites = [l for l in labels if l[3].startswith("rewrite-")]
    assert len(rewrites) == 3 * 3  # three origins, three levels
    for doc_id, cluster, story, kind in rewrites:
        assert cluster == doc_id and story == doc_id.split("-rewrite-")[0]
        assert kind == "rewrite-" + doc_id.split("-rewrite-")[1]
    others = sorted(json.dumps(p, sort_keys=True) for p in with_rw if "-rewrite-" not in p["id"])
    assert others == sorted(json.dumps(p, sort_keys=True) for p in plain)


def test_ocr_set_needs_every_font(monkeypatch, tmp_path):
    """With a font of the four missing, --tesseract stops and says what to
    install, instead of drawing every page from the fonts it finds (which
    makes another OCR set: DejaVu alone is read better by tesseract)."""
    missing = tmp_path / "NoSuchFont.ttf"
    monkeypatch.setattr(copymaker, "FONTS", [*copymaker.FONTS[:1], str(missing)])
    try:
        copymaker.check_ocr_tools()
    except SystemExit as stop:
        assert str(missing) in str(stop.code) and "fonts-liberation" in str(stop.code)
    else:
        raise AssertionError("a missing font must stop the OCR set")


def test_ocr_cache_key_holds_font_and_tesseract():
    """A cached OCR page is read back only for the same font and tesseract:
    a cache made with another font list or tesseract version is another
    set, and must not be served as this one."""
    key = copymaker.ocr_cache_key
    base = key("heavy", 7, copymaker.FONTS[0], "tesseract 5.3.0", "Text of a page.")
    assert base == key("heavy", 7, copymaker.FONTS[0], "tesseract 5.3.0", "Text of a page.")
    assert base != key("heavy", 7, copymaker.FONTS[1], "tesseract 5.3.0", "Text of a page.")
    assert base != key("heavy", 7, copymaker.FONTS[0], "tesseract 4.1.1", "Text of a page.")
    assert base != key("medium", 7, copymaker.FONTS[0], "tesseract 5.3.0", "Text of a page.")
