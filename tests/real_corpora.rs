//! Checks on the real corpora in ../shared/corpora. Each test skips (with a
//! message) when the corpora are absent, as on a user's machine.

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;
use syndic::corpus::html;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

/// All of Reuters-21578 as filed (its 22 SGML files, in name order), read
/// once and shared by the tests, or `None` (with a message) when the shared
/// corpora are absent.
fn reuters() -> Option<&'static syndic::Corpus> {
    static CORPUS: OnceLock<Option<syndic::Corpus>> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            let dir = shared("reuters21578")?;
            let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "sgm"))
                .collect();
            inputs.sort();
            Some(syndic::Corpus::read(&inputs, &syndic::ReadOptions::default()).unwrap())
        })
        .as_ref()
}

/// All of Reuters-21578 ([`reuters`]) and the default pipeline's outcome on
/// it, made once and shared by the tests that read them (a run over the
/// 21,578 reports takes seconds).
fn reuters_default() -> Option<(&'static syndic::Corpus, &'static syndic::Outcome)> {
    static OUTCOME: OnceLock<Option<syndic::Outcome>> = OnceLock::new();
    let corpus = reuters()?;
    let outcome = OUTCOME
        .get_or_init(|| Some(syndic::run(&corpus.docs, &syndic::Config::default()).unwrap()));
    Some((corpus, outcome.as_ref()?))
}

/// Where the document with id `id` stands in `docs` (it must be there).
fn doc_at(docs: &[syndic::Document], id: &str) -> usize {
    docs.iter().position(|d| d.id == id).unwrap()
}

/// The default settings with `thread.bursty_posting` 0: no term is rare
/// by its burst.
fn bursts_off() -> syndic::Config {
    let mut off = syndic::Config::default();
    off.thread.bursty_posting = 0;
    off
}

/// The outcome of [`bursts_off`] on all of Reuters-21578, made once for
/// the tests that compare it with [`reuters_default`]'s.
fn reuters_bursts_off() -> Option<&'static syndic::Outcome> {
    static OUTCOME: OnceLock<Option<syndic::Outcome>> = OnceLock::new();
    let corpus = reuters()?;
    OUTCOME
        .get_or_init(|| Some(syndic::run(&corpus.docs, &bursts_off()).unwrap()))
        .as_ref()
}

/// Tokens as the benchmark's `\w+` finds them.
fn bench_tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The article-extraction benchmark's score of one page: counts of token
/// 4-grams (the whole text when shorter) matched, extra and missing, as
/// shares of their sum, so that every page weighs the same.
fn shingle_scores(gold: &str, got: &str) -> (f64, f64, f64) {
    fn grams(text: &str) -> std::collections::HashMap<Vec<&str>, i64> {
        let t = bench_tokens(text);
        let mut m = std::collections::HashMap::new();
        if !t.is_empty() {
            for w in t.windows(4.min(t.len())) {
                *m.entry(w.to_vec()).or_insert(0) += 1;
            }
        }
        m
    }
    let (g, p) = (grams(gold), grams(got));
    let (mut tp, mut fp, mut fnn) = (0i64, 0i64, 0i64);
    for (k, &n) in &g {
        let m = p.get(k).copied().unwrap_or(0);
        tp += n.min(m);
        fnn += (n - m).max(0);
    }
    for (k, &m) in &p {
        fp += (m - g.get(k).copied().unwrap_or(0)).max(0);
    }
    let sum = (tp + fp + fnn).max(1) as f64;
    (tp as f64 / sum, fp as f64 / sum, fnn as f64 / sum)
}

/// HTML text extraction finds the article: on the 181 pages of the
/// article-extraction benchmark, scored as the benchmark scores (token
/// 4-grams; mean precision and recall over pages), F1 is at least 0.93 and
/// recall at least 0.97. `SYNDIC_EXTRACTION_DUMP=dir` writes each page's
/// text and scores there, to read the failures.
#[test]
fn html_extraction_finds_the_article() {
    let Some(dir) = shared("article-extraction-benchmark") else {
        return;
    };
    let gold: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap())
            .unwrap();
    let dump = std::env::var_os("SYNDIC_EXTRACTION_DUMP").map(PathBuf::from);
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    let mut rows = Vec::new();
    for (key, v) in gold.as_object().unwrap() {
        let path = dir.join("html").join(format!("{key}.html.gz"));
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut raw)
            .unwrap();
        let text = html::extract(&html::decode(&raw)).text;
        let body = v["articleBody"].as_str().unwrap_or("");
        let (tp, fp, fnn) = shingle_scores(body, &text);
        // The benchmark's precision_score and recall_score: a perfect page
        // scores 1, else matched / (matched + extra or missing).
        let share = |missed: f64| {
            if fp == 0.0 && fnn == 0.0 {
                1.0
            } else if tp + missed > 0.0 {
                tp / (tp + missed)
            } else {
                0.0
            }
        };
        let (precision, recall) = (share(fp), share(fnn));
        if tp + fp > 0.0 {
            precisions.push(precision);
        }
        if tp + fnn > 0.0 {
            recalls.push(recall);
        }
        if let Some(d) = &dump {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join(format!("{key}.got.txt")), &text).unwrap();
            std::fs::write(d.join(format!("{key}.gold.txt")), body).unwrap();
            rows.push(format!("{key}\t{precision:.3}\t{recall:.3}"));
        }
    }
    if let Some(d) = &dump {
        std::fs::write(d.join("scores.tsv"), rows.join("\n") + "\n").unwrap();
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (precision, recall) = (mean(&precisions), mean(&recalls));
    let f1 = 2.0 * precision * recall / (precision + recall);
    eprintln!(
        "html extraction over {} pages: F1 {f1:.3}, precision {precision:.3}, recall {recall:.3}",
        recalls.len()
    );
    assert!(recalls.len() >= 170);
    assert!(f1 >= 0.93, "F1 {f1:.3}");
    assert!(recall >= 0.97, "recall {recall:.3}");
}

/// Templated reports stay apart: Reuters-21578's daily "FED ADDS RESERVES
/// VIA CUSTOMER REPURCHASES" and "FED SETS ..." reports and the USDA export
/// sales reports repeat their text with other figures, and no cluster may
/// hold two of them whose figures differ (identical re-filings may join).
/// Also checks that a short text aligning with several of them does not
/// bridge them under the default settings.
#[test]
fn templated_reports_stay_apart() {
    // Default settings, so the alignment rule is on: #7207 says "six pct"
    // where #522 says "6-3/16 pct", and must not bridge the series. The
    // export bonuses and crude postings are hard-wrapped: their figures
    // stand in short lines (#13094 and #13097, two bonuses of one
    // template, aligned as a copy until wrapped lines counted).
    let Some((corpus, outcome)) = reuters_default() else {
        return;
    };
    let templated = |title: &str| {
        [
            "FED ADDS RESERVES",
            "FED SETS",
            "EXPORT SALES",
            "BONUS",
            "RAISES CRUDE",
        ]
        .iter()
        .any(|t| title.contains(t))
    };
    let figures = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '/'))
            .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
            .map(String::from)
            .collect()
    };
    let (seen, _) = clusters_agree_on_figures(
        corpus,
        outcome,
        |doc| doc.title.as_deref().is_some_and(templated),
        figures,
    );
    assert!(seen >= 30, "only {seen} templated reports found");
}

/// Groups the documents of `corpus` that `keep` selects by their cluster in
/// `outcome`, and asserts that every member of a cluster has the first
/// member's `figures`. Returns how many documents were selected and how
/// many joined a first member.
fn clusters_agree_on_figures(
    corpus: &syndic::Corpus,
    outcome: &syndic::Outcome,
    keep: impl Fn(&syndic::Document) -> bool,
    figures: impl Fn(&str) -> Vec<String>,
) -> (usize, usize) {
    let mut by_cluster: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for (i, doc) in corpus.docs.iter().enumerate() {
        if keep(doc) {
            by_cluster
                .entry(outcome.docs[i].representative)
                .or_default()
                .push(i);
        }
    }
    let mut joined = 0;
    for members in by_cluster.values() {
        let first = figures(&corpus.docs[members[0]].text);
        for &m in &members[1..] {
            joined += 1;
            assert_eq!(
                figures(&corpus.docs[m].text),
                first,
                "{} and {} have other figures but share a cluster",
                corpus.docs[members[0]].id,
                corpus.docs[m].id
            );
        }
    }
    (by_cluster.values().map(Vec::len).sum(), joined)
}

/// Dividend notices of other companies are not duplicates. Reuters-21578's
/// notices ("Qtly div 22 cts vs 22 cts prior / Pay April 30 / Record April
/// 10") share their pay and record lines with other notices, which are
/// learned as boilerplate (the corpus has no source field), and were
/// reduced to their first line: 46 pairs of other companies' notices of
/// one amount were identical bodies. A small report keeps such lines when
/// its body would be short (`boilerplate::SHORT_BODY_TOKENS`), so no
/// cluster may hold two notices whose figures differ; a notice filed twice
/// still joins.
#[test]
fn dividend_notices_of_other_companies_stay_apart() {
    let Some((corpus, outcome)) = reuters_default() else {
        return;
    };
    let digits = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_digit() || c == '/' || c == '-'))
            .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
            .map(String::from)
            .collect()
    };
    let notice = |text: &str| {
        text.trim_start()
            .to_ascii_lowercase()
            .starts_with("qtly div")
    };
    let (notices, joined) =
        clusters_agree_on_figures(corpus, outcome, |doc| notice(&doc.text), digits);
    assert!(notices >= 200, "only {notices} notices found");
    // The Southeast Banking notice filed twice on March 20, 1987.
    assert!(joined >= 1, "no notice filed twice was joined");
    let at = |id: &str| doc_at(&corpus.docs, id);
    let rep = |id: &str| outcome.docs[at(id)].representative;
    assert_eq!(rep("7761"), rep("7851"));
    assert_ne!(
        rep("7761"),
        rep("2340"),
        "Medtronic's notice is not Southeast Banking's"
    );
}

/// Short notices of one template by two companies are not copies, though
/// their words align as far as a noisy copy's do (0.70-0.73 of the shorter
/// text, which is 30-55 tokens): Immucor's and York Financial's stock
/// splits, RLR Financial's and Los Angeles Securities' Nasdaq listings,
/// USX's and Citgo's crude postings. A short text needs more of itself
/// aligned (`verify::needed_share`). Two agencies' reports of one sugar
/// tender, and a company's report of an acquisition and its unit's, are
/// reworded too: one story, two clusters.
#[test]
fn short_notices_of_one_template_stay_apart() {
    let Some((corpus, outcome)) = reuters_default() else {
        return;
    };
    let at = |id: &str| doc_at(&corpus.docs, id);
    let rep = |id: &str| outcome.docs[at(id)].representative;
    let story = |id: &str| outcome.docs[at(id)].story;
    for (a, b) in [("3258", "7866"), ("3810", "5305"), ("3985", "4584")] {
        assert_ne!(rep(a), rep(b), "{a} and {b} are two companies' notices");
    }
    for (a, b) in [("1440", "1537"), ("17673", "17853")] {
        assert_ne!(rep(a), rep(b), "{a} and {b} are two reports");
        assert_eq!(story(a), story(b), "{a} and {b} report one event");
    }
}

/// One of our 100-report thread sets (`benches/stories`): each report's
/// thread (`-`: it follows no other report of the set), by NEWID.
fn thread_labels(labels: &str) -> std::collections::HashMap<String, String> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/stories");
    std::fs::read_to_string(here.join(labels))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split('\t');
            (f.next().unwrap().into(), f.next().unwrap().into())
        })
        .collect()
}

/// Pair precision and recall of a run's threads over the labelled reports
/// among `docs`.
fn thread_scores(
    labels: &str,
    threads: &std::collections::HashMap<String, String>,
    docs: &[syndic::Document],
    outcome: &syndic::Outcome,
) -> (f64, f64) {
    let labelled: Vec<usize> = (0..docs.len())
        .filter(|&i| threads.contains_key(&docs[i].id))
        .collect();
    assert_eq!(
        labelled.len(),
        100,
        "{labels}: every labelled report is read"
    );
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (x, &i) in labelled.iter().enumerate() {
        for &j in &labelled[x + 1..] {
            let (a, b) = (&threads[&docs[i].id], &threads[&docs[j].id]);
            let same = a != "-" && a == b;
            let together = outcome.docs[i].thread == outcome.docs[j].thread;
            match (same, together) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                (false, false) => {}
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("{labels}: thread P {p:.3} R {r:.3} ({tp} / {fp} / {fn_})");
    (p, r)
}

/// The reports of one of our thread sets (its `threads`, from
/// [`thread_labels`]), in input order.
fn thread_set(
    corpus: &syndic::Corpus,
    threads: &std::collections::HashMap<String, String>,
) -> Vec<syndic::Document> {
    corpus
        .docs
        .iter()
        .filter(|d| threads.contains_key(&d.id))
        .cloned()
        .collect()
}

/// The three thread sets of `benches/stories/energy_threads.py` (100
/// Reuters-21578 reports each, `crude` or `trade`, every pair labelled by
/// whether the two follow one developing story: our labels), each run
/// alone with the default settings as News Story Chains is run: the thread
/// level's pair precision and recall stay at what the README reports
/// (2026-12-06, night, with linked threads merged, an uncommon term, no
/// year, asked of the names of one event, and many rare terms naming it
/// with one in both leads: 0.858 / 0.773, 0.774 / 0.828 and 0.731 /
/// 0.754), with a little room. The trade set's recall is 0.371 with the
/// merging off and 0.694 with `thread.many_rare_terms` 0.
#[test]
fn energy_threads_run_alone() {
    let Some(corpus) = reuters() else {
        return;
    };
    for (labels, min_p, min_r) in [
        ("reuters-energy-threads.tsv", 0.82, 0.74),
        ("reuters-energy-threads-2.tsv", 0.76, 0.80),
        ("reuters-trade-threads.tsv", 0.70, 0.72),
    ] {
        let threads = thread_labels(labels);
        let docs = thread_set(corpus, &threads);
        let outcome = syndic::run(&docs, &syndic::Config::default()).unwrap();
        let (p, r) = thread_scores(labels, &threads, &docs, &outcome);
        assert!(
            p >= min_p && r >= min_r,
            "{labels}: thread P {p:.3} R {r:.3}"
        );
    }
}

/// Asserts that each pair of `docs`' ids is in two groups at `level`
/// (`story` or `thread` of a [`syndic::DocOutcome`]) in `on`, the default
/// settings' outcome on `docs`, and in one group with `off`: the defaults
/// with the one rule named `rule` turned off.
fn apart_by_the_rule(
    docs: &[syndic::Document],
    on: &syndic::Outcome,
    pairs: &[(&str, &str)],
    level: fn(&syndic::DocOutcome) -> u32,
    off: syndic::Config,
    rule: &str,
) {
    let at = |id: &str| doc_at(docs, id);
    let without = syndic::run(docs, &off).unwrap();
    for (outcome, apart) in [(on, true), (&without, false)] {
        for &(a, b) in pairs {
            let (x, y) = (&outcome.docs[at(a)], &outcome.docs[at(b)]);
            assert_eq!(
                level(x) != level(y),
                apart,
                "{a} and {b}, {rule} {}",
                if apart { "on" } else { "off" }
            );
        }
    }
}

/// Two countries' monthly trade figures are no developing story: in the
/// trade set run alone, Finland's and New Zealand's February surpluses
/// (8212, 9135) and the Philippines' January deficit and West Germany's
/// February import prices (8138, 8624) share rare terms in both leads
/// (`figures`, `preliminary`, `february`, `january`; `statistics`,
/// `office`, `compared`), which few of a hundred reports hold, but no
/// name or figure: every one is a word general news uses. With
/// `thread.min_uncommon_terms` 0 each pair is one thread by "the names of
/// one event".
#[test]
fn two_countries_monthly_figures_are_no_thread() {
    let Some(corpus) = reuters() else {
        return;
    };
    let docs = thread_set(corpus, &thread_labels("reuters-trade-threads.tsv"));
    let mut off = syndic::Config::default();
    off.thread.min_uncommon_terms = 0;
    let pairs = [("8212", "9135"), ("8138", "8624")];
    let on = syndic::run(&docs, &syndic::Config::default()).unwrap();
    apart_by_the_rule(
        &docs,
        &on,
        &pairs,
        |d| d.thread,
        off,
        "thread.min_uncommon_terms",
    );
}

/// The BBC set of `benches/stories/bbc_threads.py`: the 103 BBC News
/// business articles of 2004-05 that name oil or gas (undated), by id (as
/// the script writes them), or `None` when the shared corpora are absent.
fn bbc_energy_set() -> Option<Vec<syndic::Document>> {
    let dir = shared("bbc")?;
    let mut docs: Vec<syndic::Document> = thread_labels("bbc-energy-threads.tsv")
        .keys()
        .map(|id| {
            let bytes = std::fs::read(dir.join(format!("{id}.txt"))).unwrap();
            // The corpus is Latin-1.
            let text: String = bytes.iter().map(|&b| char::from(b)).collect();
            let (title, body) = text.split_once('\n').unwrap();
            let mut doc = syndic::Document::new(id.as_str(), body.trim());
            doc.title = Some(title.trim().to_string());
            doc
        })
        .collect();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(docs.len(), 103, "every labelled article is read");
    Some(docs)
}

/// One genre's reports of other events are no story: in the 103 undated
/// BBC business articles, two US interest-rate rises months apart (121,
/// 402) share `interest`, `rates`, `inflation`, `percentage` and more in
/// both leads, and South Korea's budget and the dollar's fall when Seoul
/// denied selling dollars (258, 142) share `south`, `korea`, `ministry`:
/// words that few of 103 articles hold but general news uses, and no name
/// or figure of one event. With `story.min_uncommon_terms` 0 each pair is
/// one story by "the names of one event".
#[test]
fn one_genres_reports_of_other_events_are_no_story() {
    let Some(docs) = bbc_energy_set() else {
        return;
    };
    let mut off = syndic::Config::default();
    off.story.min_uncommon_terms = 0;
    let pairs = [
        ("business/121", "business/402"),
        ("business/258", "business/142"),
    ];
    let on = syndic::run(&docs, &syndic::Config::default()).unwrap();
    apart_by_the_rule(
        &docs,
        &on,
        &pairs,
        |d| d.story,
        off,
        "story.min_uncommon_terms",
    );
}

/// A saga's follow-ups are one thread by many shared rare terms, one in
/// both leads: in the 103 undated BBC business articles, the Yukos
/// affair's reports open with their own event (a Houston court's
/// dismissal, the auction, a bank's challenge) and share 7-12 rare terms
/// below. With `thread.many_rare_terms` 0 the affair is nine threads;
/// with 6, its largest thread holds at least 12 of its 21 reports (14,
/// 2026-12-06), and the thread level's pair precision on the set stays
/// above 0.6 (0.689).
#[test]
fn a_sagas_follow_ups_are_one_thread_by_many_rare_terms() {
    let Some(docs) = bbc_energy_set() else {
        return;
    };
    let labels = thread_labels("bbc-energy-threads.tsv");
    let yukos: Vec<usize> = (0..docs.len())
        .filter(|&i| labels[&docs[i].id] == "yukos")
        .collect();
    assert_eq!(yukos.len(), 21);
    let largest = |outcome: &syndic::Outcome| {
        let mut counts = std::collections::HashMap::new();
        for &i in &yukos {
            *counts.entry(outcome.docs[i].thread).or_insert(0) += 1;
        }
        counts.into_values().max().unwrap()
    };
    let outcome = syndic::run(&docs, &syndic::Config::default()).unwrap();
    assert!(largest(&outcome) >= 12, "largest {}", largest(&outcome));
    let (mut tp, mut fp) = (0, 0);
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            if outcome.docs[i].thread == outcome.docs[j].thread {
                let (a, b) = (&labels[&docs[i].id], &labels[&docs[j].id]);
                match a != "-" && a == b {
                    true => tp += 1,
                    false => fp += 1,
                }
            }
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp);
    assert!(precision > 0.6, "thread precision {precision:.3}");
    let mut off = syndic::Config::default();
    off.thread.many_rare_terms = 0;
    let outcome = syndic::run(&docs, &off).unwrap();
    assert!(largest(&outcome) < 12, "largest {}", largest(&outcome));
}

/// One session's price tables are no story, and two tables of one release
/// are one thread. In all of Reuters-21578, the tables of April 7 for other
/// markets or hours (Hong Kong's exchange rates at noon and at 15:00,
/// Zurich's opening and closing rates, the IMM's D-mark and Canadian dollar
/// futures, CBT's and COMEX's silver, London's sterling forwards at the
/// opening and the close) share rare terms in both leads, their labels
/// (`apr7`, `jun7`, `sett`, currency codes), and were one story by "the names
/// of one event"; a pair of tables ([`syndic::story::is_table`]) needs
/// its figures in common for that rule. USDA's orange crop estimate and
/// its citrus table, and its soybean forecasts and its supply/demand
/// table, share their figures (190,050,000 and 122,900,000 boxes; 13.90
/// and 13.70) and stay one thread. So do United Biscuits' one-line flash
/// of its pretax profit and its results table: a line of three figures is
/// no table ([`syndic::story::TABLE_MIN_FIGURES`]).
#[test]
fn one_sessions_price_tables_are_no_story() {
    let Some((corpus, outcome)) = reuters_default() else {
        return;
    };
    let at = |id: &str| doc_at(&corpus.docs, id);
    for (a, b) in [
        ("13293", "13344"),
        ("13352", "13955"),
        ("14424", "14425"),
        ("14416", "14463"),
        ("13395", "14260"),
    ] {
        let (x, y) = (&outcome.docs[at(a)], &outcome.docs[at(b)]);
        assert_ne!(x.story, y.story, "{a} and {b}: one story");
    }
    for (a, b) in [("15846", "15854"), ("15865", "15921"), ("6347", "6349")] {
        let (x, y) = (&outcome.docs[at(a)], &outcome.docs[at(b)]);
        assert_eq!(x.thread, y.thread, "{a} and {b}: not one thread");
    }
}

/// Another day's report of a series is no story with the last one
/// (`story.series_days`). Argentina's grain board adjusted its export
/// prices on April 1, 3, 7 and 9 in the same words, each report quoting
/// the last one's prices "in brackets": the shared passage and prices
/// (`linseed`, `expellers`, `264`) were "the names of one event". With the
/// rule off, the reports two days apart are one story.
#[test]
fn a_series_reports_on_other_days_are_no_story() {
    let Some((corpus, on)) = reuters_default() else {
        return;
    };
    let mut off = syndic::Config::default();
    off.story.series_days = 0.0;
    let pairs = [("12361", "13173"), ("13861", "15500")];
    apart_by_the_rule(
        &corpus.docs,
        on,
        &pairs,
        |d| d.story,
        off,
        "story.series_days",
    );
}

/// Inside all 21,578 reports, a developing story's names (`ecuador`,
/// `balao`) are held by more stories than the thread level's
/// `rare_posting`; inside its weeks they are rare
/// (`thread.bursty_posting`), and the energy sets' threads are found at
/// twice the recall, at the same precision; without the rule they are not.
#[test]
fn energy_threads_inside_all_of_reuters() {
    let Some((corpus, on)) = reuters_default() else {
        return;
    };
    let sets = [
        ("reuters-energy-threads.tsv", 0.34),
        ("reuters-energy-threads-2.tsv", 0.55),
    ];
    let Some(without) = reuters_bursts_off() else {
        return;
    };
    for (outcome, bursts) in [(on, true), (without, false)] {
        for (labels, min_r) in sets {
            let (p, r) = thread_scores(labels, &thread_labels(labels), &corpus.docs, outcome);
            assert!(p >= 0.95, "{labels}: thread P {p:.3}");
            assert_eq!(
                r >= min_r,
                bursts,
                "{labels}: thread R {r:.3}, bursts {bursts}"
            );
        }
    }
}

/// `syndic explain` counts a pair's terms as the run does: two reports of
/// Ecuador's earthquake three days apart (its export halt, and its call on
/// OPEC) share `earthquake`, held by 49 stories of Reuters-21578, in the
/// term's burst, so at the thread level it is rare for them; with the rule
/// off it is neither.
#[test]
fn explain_marks_the_terms_rare_in_their_burst() {
    let Some((corpus, on)) = reuters_default() else {
        return;
    };
    let at = |id: &str| doc_at(&corpus.docs, id);
    let pair = [(at("2973"), at("4039"))];
    let Some(without) = reuters_bursts_off() else {
        return;
    };
    let texts = corpus.texts();
    for (config, outcome, bursts) in [
        (syndic::Config::default(), on, true),
        (bursts_off(), without, false),
    ] {
        let resources = syndic::Resources::default();
        let why =
            syndic::explain::explain(&corpus.docs, &texts, &config, &resources, outcome, &pair)
                .unwrap();
        let [_, thread] = why[0].levels.as_ref().expect("stories are on");
        let earthquake = thread
            .terms
            .iter()
            .find(|t| t.word == "earthquake" && t.kind == "term")
            .expect("a shared top term");
        assert!(earthquake.groups > 10, "not rare by its stories alone");
        assert_eq!((earthquake.burst, earthquake.rare), (bursts, bursts));
    }
}

/// Story pairs on the article-extraction benchmark's 181 real pages
/// (about 150 sites, most scraped on 18-20 November 2019) against our
/// by-eye event labels (`benches/stories/extraction-benchmark-events.txt`):
/// `(true, false, missed)` pairs, ambiguous ones left out.
fn extraction_story_pairs(
    docs: &[syndic::Document],
    out: &syndic::Outcome,
) -> (usize, usize, usize) {
    use std::collections::HashSet;
    let labels = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("benches/stories/extraction-benchmark-events.txt"),
    )
    .unwrap();
    let (mut same, mut ambiguous) = (HashSet::new(), HashSet::new());
    for line in labels.lines().filter(|l| !l.starts_with('#')) {
        let mut parts = line.split_whitespace();
        let Some(kind) = parts.next() else { continue };
        let mut ids: Vec<&str> = parts.collect();
        ids.sort_unstable();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let set = if kind == "same" {
                    &mut same
                } else {
                    &mut ambiguous
                };
                set.insert((a.to_string(), b.to_string()));
            }
        }
    }
    let mut predicted = HashSet::new();
    for (i, x) in out.docs.iter().enumerate() {
        for (j, y) in out.docs.iter().enumerate().skip(i + 1) {
            if x.story == y.story {
                let (a, b) = (&docs[i].id[..8], &docs[j].id[..8]);
                predicted.insert((a.min(b).to_string(), a.max(b).to_string()));
            }
        }
    }
    let true_pairs = predicted.intersection(&same).count();
    let false_pairs = predicted
        .iter()
        .filter(|p| !same.contains(*p) && !ambiguous.contains(*p))
        .count();
    (true_pairs, false_pairs, same.len() - true_pairs)
}

/// HTML pages carry the publication time their head gives, so the story
/// window keeps pages of other years apart: in the article-extraction
/// benchmark's 181 pages, a Japanese law firm's 2016 note on a modified
/// iPhone (`85439e26`) was one story with three 2019 gadget pages by the
/// names it writes in Latin letters ("iPhone", "Apple"), and two
/// MoreBikes reviews of 2014 and 2018 by their shared byline and footer.
/// Story precision on the whole set against our labels is low (0.43, from
/// 0.38 undated): within one week, topic neighbours (one week's
/// impeachment reports and commentary, Hong Kong's protests and a Hong
/// Kong listing) share names rare in so small a crawl; see
/// docs/results/story-level.md.
#[test]
fn html_pages_of_other_years_stay_out_of_this_weeks_stories() {
    let Some(dir) = shared("article-extraction-benchmark/html") else {
        return;
    };
    let corpus = syndic::Corpus::read(&[dir], &syndic::ReadOptions::default()).unwrap();
    let docs = &corpus.docs;
    assert_eq!(docs.len(), 181);
    let dated = docs.iter().filter(|d| d.published.is_some()).count();
    assert!(dated >= 140, "{dated} pages dated");
    let out = syndic::run(docs, &syndic::Config::default()).unwrap();
    let story = |prefix: &str| {
        let at = docs.iter().position(|d| d.id.starts_with(prefix)).unwrap();
        out.docs[at].story
    };
    for gadget in ["5fbc7ccb", "cc4aa22b", "d48aeb9c"] {
        assert_ne!(story("85439e26"), story(gadget), "{gadget}");
    }
    assert_ne!(story("30b771a4"), story("612cd298"));
    let (true_pairs, false_pairs, missed) = extraction_story_pairs(docs, &out);
    let precision = true_pairs as f64 / (true_pairs + false_pairs) as f64;
    eprintln!("extraction benchmark stories: {true_pairs} true, {false_pairs} false, {missed} missed pairs");
    assert!(
        precision >= 0.42 && missed <= 3,
        "P {precision:.3}, {missed} missed"
    );
}
