//! The library's entry point, called directly: `syndic::run` on documents
//! in memory gives what `syndic cluster` writes for the same corpus.

mod common;

use syndic::{Config, Corpus, ReadOptions};

#[test]
fn run_on_documents_equals_the_cli() {
    let input = "corpora/sample/articles.jsonl";
    let corpus = Corpus::read(&[input.into()], &ReadOptions::default()).unwrap();
    let outcome = syndic::run(&corpus.docs, &Config::default()).unwrap();
    assert_eq!(outcome.docs.len(), 54);
    assert_eq!(outcome.summary.clusters, 12);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.jsonl");
    let cli = common::syndic(&["cluster", input, "-o", &out.to_string_lossy(), "-q"]);
    assert!(cli.status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    for ((line, doc), o) in written.lines().zip(&corpus.docs).zip(&outcome.docs) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], doc.id.as_str());
        let rep = &corpus.docs[o.representative as usize].id;
        let story = &corpus.docs[o.story as usize].id;
        assert_eq!(v["cluster"], rep.as_str(), "{}", doc.id);
        assert_eq!(v["story"], story.as_str(), "{}", doc.id);
        assert_eq!(v["similarity"].as_f64().map(|x| x as f32), o.similarity);
    }
    assert_eq!(outcome.kept().len(), outcome.summary.clusters);
}

/// `cluster_with_model` (what a distributed run calls per component) under
/// the model learned from the whole corpus gives `run`'s clusters with
/// stories off, on the whole corpus and on each candidate component alone.
#[test]
fn clustering_under_a_given_model_equals_run() {
    let input = "corpora/sample/articles.jsonl";
    let corpus = Corpus::read(&[input.into()], &ReadOptions::default()).unwrap();
    let mut config = Config::default();
    config.story.enabled = false;
    let whole = syndic::run(&corpus.docs, &config).unwrap();
    let texts = syndic::corpus::Texts::new(&corpus.docs);
    let learned = syndic::pipeline::BodyModel::learn(
        &corpus.docs,
        &texts,
        &config,
        &syndic::Resources::default(),
    )
    .unwrap();
    assert!(!learned.boilerplate.is_empty());
    let model = syndic::pipeline::group_lines(
        learned
            .boilerplate
            .lines()
            .into_iter()
            .map(|(g, line)| (learned.groups.names[g as usize].clone(), line)),
    );
    let given = syndic::pipeline::cluster_with_model(&corpus.docs, &config, &model).unwrap();
    assert_eq!(given.docs, whole.docs);
    // Each cluster alone (clusters here are their own components).
    for rep in whole.kept() {
        let members: Vec<usize> = (0..corpus.docs.len())
            .filter(|&i| whole.docs[i].representative as usize == rep)
            .collect();
        let docs: Vec<syndic::Document> = members.iter().map(|&i| corpus.docs[i].clone()).collect();
        let part = syndic::pipeline::cluster_with_model(&docs, &config, &model).unwrap();
        for (k, &i) in members.iter().enumerate() {
            let (p, w) = (&part.docs[k], &whole.docs[i]);
            assert_eq!(
                members[p.representative as usize],
                w.representative as usize
            );
            assert_eq!(
                (p.similarity, p.containment, p.short),
                (w.similarity, w.containment, w.short)
            );
        }
    }
}

/// A caller done with the texts may free them, and the pages' titles, URLs
/// and sources, between the fold stage and the rest (as `syndic cluster`
/// does): the outcome is `run_with`'s, with texts in RAM and with texts
/// spilled under a memory limit.
#[test]
fn freeing_the_texts_and_page_metadata_after_fold_changes_nothing() {
    let input = "corpora/sample/articles.jsonl";
    let config = Config::default();
    for memory in [None, Some(64 << 10)] {
        let resources = syndic::Resources {
            memory,
            ..Default::default()
        };
        let options = ReadOptions {
            spill_texts: memory.map(|_| resources.clone()),
            ..ReadOptions::default()
        };
        let read = || Corpus::read(&[input.into()], &options).unwrap();
        let whole = {
            let corpus = read();
            assert_eq!(corpus.texts().spilled(), memory.is_some());
            syndic::pipeline::run_with(&corpus.docs, &corpus.texts(), &config, &resources, &|_| {})
                .unwrap()
        };
        let mut corpus = read();
        let folded = syndic::pipeline::fold_stage(
            &corpus.docs,
            &corpus.texts(),
            &config,
            &resources,
            &|_| {},
        )
        .unwrap();
        assert!(corpus
            .docs
            .iter()
            .all(|d| d.source.is_some() && d.title.is_some()));
        corpus.free_after_fold();
        assert!((0..corpus.docs.len()).all(|i| corpus.texts().text(i).unwrap().is_empty()));
        assert!(corpus
            .docs
            .iter()
            .all(|d| d.title.is_none() && d.url.is_none() && d.source.is_none()));
        assert!(corpus.docs.iter().all(|d| d.published.is_some()));
        let after =
            syndic::pipeline::run_folded(&corpus.docs, folded, &config, &resources, &|_| {})
                .unwrap();
        assert_eq!(after.docs, whole.docs, "memory {memory:?}");
        assert_eq!(after.summary.bytes, whole.summary.bytes);
        assert!(after.summary.bytes > 10_000);
    }
}

/// A flood of near-identical pages (3,000 copies of one article, three
/// words edited in each, on 20 sites) is one cluster from few candidates:
/// the LSH stage chains the flood's big buckets instead of pairing each
/// page with hundreds of others. The same with the band keys spilled under
/// a memory limit. Boilerplate learning is off: on a flood it takes the
/// shared paragraphs for chrome (open in the tracker). Before: 1.6 million
/// candidates here (now 0.6 million, mostly from the buckets of about 30
/// pages that lost the same minimum to an edit); 127 million for 100,000
/// such pages (now 3.2 million).
/// With boilerplate learning on (the default), a flood of edited copies
/// with no source or URL (one group) stays one cluster: each page's own
/// lines are its edited paragraphs, and the article's other paragraphs must
/// not pass for chrome recurring across thousands of "stories" (they did:
/// these 3,000 copies made 24 clusters; 20,000 copies with one digit added
/// to three words made 2,565).
#[test]
fn a_flood_with_no_source_keeps_its_article() {
    for (n, edits) in [(3000, 3), (1000, 1), (500, 6)] {
        let docs = common::flood(n, edits, 0);
        let o = syndic::run(&docs, &Config::default()).unwrap();
        let s = &o.summary;
        assert_eq!(
            (s.clusters, s.duplicates),
            (1, n - 1),
            "{n} copies, {edits} edits"
        );
    }
}

#[test]
fn a_flood_of_near_identical_pages_is_one_cluster_from_few_candidates() {
    let mut config = Config::default();
    config.boilerplate.enabled = false;
    let docs = common::flood(3000, 3, 20);
    let texts = syndic::corpus::Texts::new(&docs);
    let mut outcomes = Vec::new();
    for memory in [None, Some(1 << 20)] {
        let resources = syndic::Resources {
            memory,
            ..Default::default()
        };
        let o = syndic::pipeline::run_with(&docs, &texts, &config, &resources, &|_| {}).unwrap();
        let s = &o.summary;
        assert_eq!((s.clusters, s.duplicates), (1, 2999));
        assert!(
            s.candidates < 250 * docs.len(),
            "{} candidates",
            s.candidates
        );
        assert_eq!(s.spilled, memory.is_some());
        outcomes.push(o.docs);
    }
    assert_eq!(outcomes[0], outcomes[1]);
}

/// The `n` documents of a fixture file.
fn fixture(input: &str, n: usize) -> Vec<syndic::Document> {
    let docs = Corpus::read(&[input.into()], &ReadOptions::default())
        .unwrap()
        .docs;
    assert_eq!(docs.len(), n);
    docs
}

/// The story of each document of `docs` under `config`, by id.
fn stories<'d>(docs: &'d [syndic::Document], config: &Config) -> impl Fn(&str) -> u32 + 'd {
    let outcome = syndic::run(docs, config).unwrap();
    move |id: &str| outcome.docs[docs.iter().position(|d| d.id == id).unwrap()].story
}

/// Two outlets' reports of one harbour fire, on one day, share eleven
/// ordinary words (`warehouse`, `roof`, `trapped`, `smoke`), each of which
/// six or more clusters hold, so none is rare: no rule but the combination
/// joins them. Sixteen reports of other events each hold three of those
/// words (`tests/fixtures/combination.jsonl`; `tests/python/test_spark.py`
/// runs the same file on Spark). A third report that holds most of them
/// makes them a topic, not an event; two days apart, they are no longer
/// one day's reports. The rule is tested on the corpus's own word counts:
/// among 18 reports, the background of general news
/// (`story.background_documents`) weighs those words, which general news
/// seldom holds, as a close rewrite's (cosine 0.83).
#[test]
fn reports_of_one_day_join_by_a_combination_of_words_no_other_holds() {
    let docs = fixture("tests/fixtures/combination.jsonl", 18);
    let joined = |docs: &[syndic::Document], config: &Config| {
        let of = stories(docs, config);
        of("fire-a") == of("fire-b")
    };
    let mut own = Config::default();
    own.story.background_documents = 0.0;
    assert!(joined(&docs, &Config::default()), "with the background");
    assert!(joined(&docs, &own), "a unique combination");
    let mut off = own.clone();
    off.story.combination_share = 0.0;
    assert!(!joined(&docs, &off), "no other rule joins them");

    let mut topic = docs.clone();
    let mut drill = syndic::Document::new(
        "drill",
        "Firefighters held a drill at a harbour warehouse: smoke filled the hall, a roof \
         section was said to have collapsed, and dockworkers played the trapped.",
    );
    drill.published = Some("2026-03-03T10:00:00Z".into());
    topic.push(drill);
    assert!(!joined(&topic, &own), "a third holds the words");

    let mut apart = docs.clone();
    let b = apart.iter_mut().find(|d| d.id == "fire-b").unwrap();
    b.published = Some("2026-03-06T15:40:00Z".into());
    assert!(!joined(&apart, &own), "not of one day");
}

/// Another outlet's report, published beside a late copy of the article
/// it reports (`corpora/sample`'s vineyard-frost story, whose OCR-noisy
/// copy ran a month after the origin), joins the article's story: a report
/// that nobody copied is as near a cluster as the nearest of its pages
/// ([`syndic::story::Dates`]). Beside no copy it stays apart (the
/// window), and so does the report when it is itself copied: two clusters
/// of copies are as far apart as their earliest pages.
/// `tests/python/test_spark.py` runs the same documents on Spark.
#[test]
fn a_lone_report_is_dated_beside_the_nearest_copy_of_a_cluster() {
    let mut docs = fixture("corpora/sample/articles.jsonl", 54);
    let date = |docs: &mut Vec<syndic::Document>, id: &str, t: &str| {
        let d = docs.iter_mut().find(|d| d.id == id).unwrap();
        d.published = Some(t.into());
    };
    let copied = docs.remove(
        docs.iter()
            .position(|d| d.id == "02-vineyard-frost-r0-syndicated-17")
            .unwrap(),
    );
    let (origin, ocr, report) = (
        "02-vineyard-frost-origin-9",
        "02-vineyard-frost-ocr-15",
        "02-vineyard-frost-r0-rewrite-16",
    );
    // A month after the origin, five hours after its OCR-noisy copy.
    date(&mut docs, report, "2026-05-19T14:00:00Z");
    let outcome = syndic::run(&docs, &Config::default()).unwrap();
    let at = |id: &str| docs.iter().position(|d| d.id == id).unwrap();
    let doc = |id: &str| &outcome.docs[at(id)];
    assert_eq!(doc(ocr).representative, doc(origin).representative);
    assert_eq!(doc(report).story, doc(origin).story, "beside the late copy");

    let mut early = docs.clone();
    date(&mut early, ocr, "2026-04-18T21:00:00Z");
    let of = stories(&early, &Config::default());
    assert_ne!(of(report), of(origin), "beside no copy");

    let mut copies = docs.clone();
    let mut copy = copied;
    copy.published = Some("2026-05-19T15:30:00Z".into());
    copies.push(copy);
    let of = stories(&copies, &Config::default());
    assert_ne!(of(report), of(origin), "a cluster of copies of the report");
}

/// A report and its translation share names (people, places, a club), not
/// words: with few top terms they share none of them, and they are one
/// story by their names alone (`min_shared_names`), which two reports in
/// one language are not (the report and another event with its coach's
/// names). Around them (`tests/fixtures/translation.jsonl`), reports in
/// each language on other topics give every document its language's
/// profile of common words. `tests/python/test_spark.py` runs the same
/// file on Spark.
#[test]
fn a_translation_joins_its_report_by_names_alone() {
    let docs = fixture("tests/fixtures/translation.jsonl", 15);
    let story_of = |config: &Config| {
        let of = stories(&docs, config);
        (
            of("report"),
            of("translation"),
            of("same-names-other-event"),
        )
    };
    let mut config = Config::default();
    // Too few top terms for the pair to share any: only names remain.
    config.story.top_terms = 4;
    let (report, translation, other) = story_of(&config);
    assert_eq!(report, translation, "the translation joins by its names");
    assert_ne!(
        report, other,
        "names alone do not join two reports in one language"
    );
    config.story.min_shared_names = 0;
    let (report, translation, _) = story_of(&config);
    assert_ne!(
        report, translation,
        "without the names rule the pair is no candidate"
    );
}

/// A report in Chinese and the English report of the same event share
/// only the names the first writes in Latin letters: in two scripts, two
/// shared names and a term in both leads make them one story, and only
/// the report alone in its story moves. A Chinese and an English page
/// that share only a news site's "follow us on Facebook, Twitter and
/// YouTube" line, at their ends, stay apart (`tests/fixtures/scripts.jsonl`;
/// `tests/python/test_spark.py` runs the same file on Spark).
#[test]
fn a_report_in_another_script_joins_by_the_names_in_its_lead() {
    let docs = fixture("tests/fixtures/scripts.jsonl", 6);
    let story_of = |config: &Config, a: &str, b: &str| {
        let of = stories(&docs, config);
        (of(a), of(b))
    };
    let (report, translation) = story_of(&Config::default(), "report", "translation");
    assert_eq!(report, translation, "joined by names");
    let (zh, en) = story_of(&Config::default(), "storm-zh", "budget-en");
    assert_ne!(zh, en, "chrome is no lead");
    // Without the rule, and on the six pages' own word counts (the
    // background of general news lifts the pair's cosine to 0.15, where
    // its four shared names in both leads join it as in one language).
    let mut config = Config::default();
    config.story.min_names_across_scripts = 0;
    config.story.background_documents = 0.0;
    let (report, translation) = story_of(&config, "report", "translation");
    assert_ne!(report, translation, "the rule is off");
}
