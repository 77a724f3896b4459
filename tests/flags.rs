//! Every flag a subcommand accepts has an effect, and every default that
//! `--help` prints for a setting equals `Config::default()`.
//!
//! The flags are read from each subcommand's `--help`, so a new flag without
//! an entry in [`cases`] fails the test. For each flag, the subcommand runs
//! twice on corpora/sample (base arguments, then base plus the flag); what a
//! run shows (exit code, stdout, stderr with times blanked, and every file
//! it wrote) must differ.

mod common;

use common::syndic;
use std::collections::BTreeMap;
use std::path::Path;

const SAMPLE: &str = "corpora/sample/articles.jsonl";

/// One flag's check: extra base arguments, then the arguments that add the flag.
type Variant = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Flags that decide the matching result, as `cluster`, `dedup` and
/// `index build` accept them.
const MATCHING: &[Variant] = &[
    ("--config", &[], &["--config", "{d}/strict.toml"]),
    ("--shingle", &[], &["--shingle", "word:2"]),
    ("--num-perm", &[], &["--num-perm", "16"]),
    (
        "--scheme",
        &["--stats", "{d}/s.json"],
        &["--stats", "{d}/s.json", "--scheme", "classic"],
    ),
    ("--seed", &[], &["--seed", "99", "--num-perm", "8"]),
    ("--boilerplate", &[], &["--boilerplate", "off"]),
    ("--threshold", &[], &["--threshold", "0.3"]),
    ("--near-threshold", &[], &["--near-threshold", "0.2"]),
    ("--containment", &[], &["--containment", "0.3"]),
    (
        "--aligned",
        &["@{d}/noisy.jsonl"],
        &["@{d}/noisy.jsonl", "--aligned", "2"],
    ),
    ("--bands", &[], &["--bands", "2", "--rows", "64"]),
    ("--rows", &[], &["--bands", "2", "--rows", "64"]),
    ("--stories", &[], &["--stories", "off"]),
];

/// `--wait` only matters while another writer holds the lock (tests/index.rs,
/// `a_stopped_writer_is_named_and_waited_for`); here its value is checked.
const WAIT: Variant = ("--wait", &[], &["--wait", "-1s"]);

/// Flags that decide the signature only, as `sign` accepts them.
const SIGNATURE: &[Variant] = &[
    ("--config", &[], &["--config", "{d}/sig.toml"]),
    ("--shingle", &[], &["--shingle", "word:2"]),
    ("--num-perm", &[], &["--num-perm", "16"]),
    ("--scheme", &[], &["--scheme", "classic"]),
    ("--seed", &[], &["--seed", "99"]),
    ("--boilerplate", &[], &["--boilerplate", "off"]),
];

const INPUT: &[Variant] = &[
    (
        "--max-doc-bytes",
        &[],
        &["--max-doc-bytes", "1K", "--skip-invalid"],
    ),
    (
        "--id-field",
        &[],
        &["--id-field", "title", "--skip-invalid"],
    ),
    ("--text-field", &[], &["--text-field", "title"]),
    (
        "--skip-invalid",
        &["{d}/bad.jsonl"],
        &["{d}/bad.jsonl", "--skip-invalid"],
    ),
    (
        "--rejects",
        &["{d}/bad.jsonl", "--skip-invalid"],
        &[
            "{d}/bad.jsonl",
            "--skip-invalid",
            "--rejects",
            "{d}/rejects.jsonl",
        ],
    ),
];

const TITLES: &[Variant] = &[(
    "--title-first-line",
    &["@{d}/titled"],
    &["@{d}/titled", "--title-first-line"],
)];

const RESOURCES: &[Variant] = &[
    ("--threads", &[], &["--threads", "1"]),
    ("--memory", &[], &["--memory", "1K"]),
    (
        "--temp-dir",
        &["--memory", "1K"],
        &["--memory", "1K", "--temp-dir", "{d}/missing"],
    ),
];

/// Prepares an index in `{d}/ix`.
const BUILD: &[&[&str]] = &[&["index", "build", SAMPLE, "--index", "{d}/ix", "-q"]];

/// A subcommand, the arguments every run of it gets, commands that prepare
/// its folder, and the check of each flag it accepts.
struct Case {
    sub: &'static [&'static str],
    /// The inputs, unless a check names its own (`@path`).
    input: &'static [&'static str],
    base: &'static [&'static str],
    setup: &'static [&'static [&'static str]],
    flags: Vec<Variant>,
}

fn cases() -> Vec<Case> {
    // A subcommand's own check of a flag replaces the group's.
    let with = |groups: &[&[Variant]], own: &[Variant]| -> Vec<Variant> {
        let mut all: Vec<Variant> = groups.iter().flat_map(|g| g.iter().copied()).collect();
        for v in own {
            all.retain(|a| a.0 != v.0);
            all.push(*v);
        }
        all
    };
    vec![
        Case {
            sub: &["cluster"],
            input: &[SAMPLE],
            base: &["-o", "{d}/out.jsonl"],
            setup: &[],
            flags: with(
                &[MATCHING, INPUT, TITLES, RESOURCES],
                &[
                    ("--output", &[], &["--output", "{d}/other.jsonl"]),
                    ("--format", &[], &["--format", "csv"]),
                    ("--stats", &[], &["--stats", "{d}/stats.json"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["dedup"],
            input: &[SAMPLE],
            base: &["-o", "{d}/out.jsonl"],
            setup: &[],
            flags: with(
                &[MATCHING, INPUT, TITLES, RESOURCES],
                &[
                    ("--output", &[], &["--output", "{d}/other.jsonl"]),
                    ("--clusters", &[], &["--clusters", "{d}/c.jsonl"]),
                    (
                        "--format",
                        &["--clusters", "{d}/c.jsonl"],
                        &["--clusters", "{d}/c.jsonl", "--format", "tsv"],
                    ),
                    ("--report", &[], &["--report", "{d}/r.jsonl"]),
                    ("--stats", &[], &["--stats", "{d}/stats.json"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["explain"],
            input: &[SAMPLE],
            base: &[],
            setup: &[],
            flags: with_pairs(with(
                &[MATCHING, INPUT, TITLES, RESOURCES],
                &[
                    (
                        "--pair",
                        &[],
                        &[
                            "--pair",
                            "04-rail-strike-origin-27",
                            "03-library-hours-origin-18",
                        ],
                    ),
                    ("--stats", &[], &["--stats", "{d}/stats.json"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            )),
        },
        Case {
            sub: &["sign"],
            input: &[SAMPLE],
            base: &["-o", "{d}/sig.bin"],
            setup: &[],
            flags: with(
                &[SIGNATURE, INPUT, TITLES, RESOURCES],
                &[
                    ("--output", &[], &["--output", "{d}/other.bin"]),
                    ("--format", &[], &["--format", "parquet"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["extract"],
            input: &[SAMPLE],
            base: &["-o", "{d}/text.jsonl"],
            setup: &[],
            flags: with(
                &[INPUT, TITLES, RESOURCES],
                &[
                    ("--output", &[], &["--output", "{d}/other.jsonl"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["index", "build"],
            input: &[SAMPLE],
            base: &["--index", "{d}/ix"],
            setup: &[],
            flags: with(
                &[MATCHING, INPUT, TITLES, RESOURCES],
                &[
                    ("--index", &[], &["--index", "{d}/other"]),
                    ("--scheme", &[], &["--scheme", "classic"]),
                    ("--window", &[], &["--window", "1d"]),
                    WAIT,
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["index", "add"],
            input: &["{d}/fresh.jsonl"],
            base: &["--index", "{d}/ix"],
            setup: BUILD,
            flags: with(
                &[INPUT, TITLES, RESOURCES],
                &[
                    ("--index", &[], &["--index", "{d}/missing"]),
                    WAIT,
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["index", "query"],
            input: &[SAMPLE],
            base: &["--index", "{d}/ix"],
            setup: BUILD,
            flags: with(
                &[INPUT, RESOURCES],
                &[
                    ("--index", &[], &["--index", "{d}/missing"]),
                    ("--quiet", &[], &["--quiet"]),
                ],
            ),
        },
        Case {
            sub: &["index", "stats"],
            input: &[],
            base: &["--index", "{d}/ix"],
            setup: BUILD,
            flags: vec![
                ("--index", &[], &["--index", "{d}/missing"]),
                ("--verify", &[], &["--verify"]),
            ],
        },
        Case {
            sub: &["index", "remove"],
            input: &[],
            base: &["--index", "{d}/ix", "04-rail-strike-origin-27"],
            setup: BUILD,
            flags: vec![("--index", &[], &["--index", "{d}/missing"]), WAIT],
        },
        Case {
            sub: &["index", "compact"],
            input: &[],
            base: &["--index", "{d}/ix"],
            setup: BUILD,
            flags: vec![("--index", &[], &["--index", "{d}/missing"]), WAIT],
        },
        Case {
            sub: &["index", "clusters"],
            input: &[],
            base: &["--index", "{d}/ix"],
            setup: BUILD,
            flags: vec![("--index", &[], &["--index", "{d}/missing"])],
        },
        Case {
            sub: &["eval"],
            input: &[],
            base: &["--pred", "{d}/pred.jsonl"],
            setup: &[&["cluster", SAMPLE, "-o", "{d}/pred.jsonl", "-q"]],
            flags: vec![
                ("--labels", &[], &["--labels", "corpora/sample/labels.tsv"]),
                ("--pairs", &[], &["--pairs", "{d}/pairs.csv"]),
                (
                    "--pred",
                    &["--labels", "corpora/sample/labels.tsv"],
                    &[
                        "--labels",
                        "corpora/sample/labels.tsv",
                        "--pred",
                        "{d}/one.jsonl",
                    ],
                ),
                (
                    "--level",
                    &["--labels", "corpora/sample/labels.tsv"],
                    &["--labels", "corpora/sample/labels.tsv", "--level", "story"],
                ),
                (
                    "--per-world",
                    &["--labels", "corpora/sample/labels.tsv"],
                    &["--labels", "corpora/sample/labels.tsv", "--per-world"],
                ),
                (
                    "--errors",
                    &["--labels", "corpora/sample/labels.tsv"],
                    &["--labels", "corpora/sample/labels.tsv", "--errors", "3"],
                ),
                (
                    "--same-max",
                    &["--pairs", "{d}/semeval.csv"],
                    &["--pairs", "{d}/semeval.csv", "--same-max", "3"],
                ),
                (
                    "--different-min",
                    &["--pairs", "{d}/semeval.csv"],
                    &["--pairs", "{d}/semeval.csv", "--different-min", "1.5"],
                ),
                (
                    "--corpus",
                    &["--pairs", "{d}/pairs.csv"],
                    &["--pairs", "{d}/pairs.csv", "--corpus", SAMPLE],
                ),
            ],
        },
        Case {
            sub: &["bench"],
            input: &[SAMPLE],
            base: &["--repeat", "1"],
            setup: &[],
            flags: vec![
                (
                    "--labels",
                    &["@{d}/copy.jsonl"],
                    &["@{d}/copy.jsonl", "--labels", "corpora/sample/labels.tsv"],
                ),
                ("--repeat", &[], &["--repeat", "2"]),
                ("--threads", &[], &["--threads", "1"]),
                // The sample's copies pass even strict thresholds (by
                // containment and alignment): turn the story level off.
                ("--config", &[], &["--config", "{d}/no-stories.toml"]),
                (
                    "--title-first-line",
                    &["@{d}/titled"],
                    &["@{d}/titled", "--title-first-line"],
                ),
            ],
        },
        Case {
            sub: &["corpora", "generate"],
            input: &[],
            base: &["--from", "corpora/stories", "--out", "{d}/gen"],
            setup: &[],
            flags: vec![
                ("--from", &[], &["--from", SAMPLE]),
                (
                    "--min-words",
                    &["--from", SAMPLE],
                    &["--from", SAMPLE, "--min-words", "400"],
                ),
                ("--out", &[], &["--out", "{d}/gen2"]),
                ("--seed", &[], &["--seed", "8"]),
            ],
        },
    ]
}

/// `explain`'s checks: each with a pair of two documents of the input it
/// runs on (`explain` refuses an id that no document has).
fn with_pairs(variants: Vec<Variant>) -> Vec<Variant> {
    let pair = |args: &[&str]| -> &'static [&'static str] {
        if args.contains(&"@{d}/noisy.jsonl") {
            &["--pair", "report", "scan"]
        } else if args.contains(&"@{d}/titled") {
            &["--pair", "0.txt", "1.txt"]
        } else {
            &[
                "--pair",
                "04-rail-strike-origin-27",
                "04-rail-strike-syndicated-30",
            ]
        }
    };
    let paired = |args: &'static [&'static str]| -> &'static [&'static str] {
        Box::leak([args, pair(args)].concat().into_boxed_slice())
    };
    variants
        .into_iter()
        .map(|(flag, base, with)| (flag, paired(base), paired(with)))
        .collect()
}

/// The long flags that `syndic SUB --help` lists.
fn listed_flags(sub: &[&str]) -> Vec<String> {
    let mut args: Vec<&str> = sub.to_vec();
    args.push("--help");
    let help = String::from_utf8(syndic(&args).stdout).unwrap();
    let mut flags: Vec<String> = help
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("-q, ")
                .or(l.strip_prefix("-o, "))
                .unwrap_or(l);
            let flag = l.strip_prefix("--")?.split([' ', '=']).next()?;
            Some(format!("--{flag}"))
        })
        .filter(|f| f != "--help" && f != "--version")
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

/// Makes the files the checks read into `d`.
fn prepare(d: &Path) {
    std::fs::write(
        d.join("strict.toml"),
        "threshold = 0.99\nnear_threshold = 0.99\n",
    )
    .unwrap();
    std::fs::write(d.join("no-stories.toml"), "[story]\nenabled = false\n").unwrap();
    std::fs::write(d.join("sig.toml"), "shingle = \"word:3\"\n").unwrap();
    // Three pages with one title and one shared line: without titles they
    // are three stories and both lines are boilerplate; with
    // --title-first-line they are one story and nothing is.
    std::fs::create_dir(d.join("titled")).unwrap();
    for (k, body) in [
        "The harbour bridge shuts for repairs on Monday.",
        "Engineers found cracks in two of the bridge's steel girders.",
        "Traffic will go through the old town for six weeks.",
    ]
    .iter()
    .enumerate()
    {
        let text =
            format!("Bridge closes for repairs\n\n{body}\n\nDrivers were told to leave early.\n");
        std::fs::write(d.join("titled").join(format!("{k}.txt")), text).unwrap();
    }
    std::fs::write(d.join("bad.jsonl"), "{\"id\": \"x\", \"text\": 1}\n").unwrap();
    std::fs::write(
        d.join("pairs.csv"),
        "id1,id2,label\n04-rail-strike-origin-27,05-telescope-grant-syndicated-39,0\n",
    )
    .unwrap();
    std::fs::write(
        d.join("semeval.csv"),
        "pair_id,Overall\n04-rail-strike-origin-27_05-telescope-grant-syndicated-39,2.0\n",
    )
    .unwrap();
    std::fs::write(
        d.join("one.jsonl"),
        "{\"id\":\"04-rail-strike-origin-27\",\"cluster\":\"x\",\"story\":\"x\"}\n",
    )
    .unwrap();
    // A report and an OCR-noisy copy (one word in five misread): word
    // 5-grams break, and only the alignment rule joins the two.
    let report = "The central bank raised its main interest rate by a quarter point to 4.5 percent on Thursday, \
        citing stubborn inflation in services and a labour market that has barely cooled since the spring. \
        Economists had expected the move after figures last week showed prices rising 3.2 percent a year, \
        and the bank said further increases could not be ruled out if wage growth stayed strong into the autumn.";
    let noisy: Vec<String> = report
        .split(' ')
        .enumerate()
        .map(|(i, w)| match i % 5 {
            2 => w.replace('e', "c").replace('a', "o").replace('i', "l"),
            _ => w.to_string(),
        })
        .collect();
    let line = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    std::fs::write(
        d.join("noisy.jsonl"),
        format!(
            "{}\n{}\n",
            line("report", report),
            line("scan", &noisy.join(" "))
        ),
    )
    .unwrap();
    std::fs::copy(SAMPLE, d.join("copy.jsonl")).unwrap();
    let fresh = std::fs::read_to_string(SAMPLE)
        .unwrap()
        .replace("{\"id\":\"", "{\"id\":\"new-");
    std::fs::write(d.join("fresh.jsonl"), fresh).unwrap();
}

fn fill(args: &[&str], d: &Path) -> Vec<String> {
    let d = d.to_string_lossy();
    args.iter().map(|a| a.replace("{d}", &d)).collect()
}

/// What a run shows: exit code, stdout, stderr with numbers that vary from
/// run to run blanked, and every file under `d` with its bytes.
fn observe(d: &Path, args: &[String]) -> String {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = syndic(&refs);
    let blank = |s: &[u8]| {
        let s = String::from_utf8_lossy(s).replace(&*d.to_string_lossy(), "{d}");
        let mut o = String::new();
        for word in s.split_inclusive([' ', '\n', '|']) {
            let is_measure = word.contains('.')
                && word.chars().any(|c| c.is_ascii_digit())
                && word
                    .trim_end_matches(['s', ' ', '\n', '|', ','])
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            o.push_str(if is_measure { "# " } else { word });
        }
        o.lines()
            // rates (`79 MB/s`, `23265 docs/s`) vary from run to run
            .filter(|l| !l.contains("docs/s") && !l.contains("MB/s"))
            .map(|l| match l.contains("peak") {
                true => l.replace(|c: char| c.is_ascii_digit(), ""),
                false => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut files = BTreeMap::new();
    collect_files(d, d, &mut files);
    format!(
        "exit {:?}\nstdout {}\nstderr {}\nfiles {:?}",
        out.status.code(),
        blank(&out.stdout),
        blank(&out.stderr),
        files
    )
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, u64>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_files(root, &p, out);
        } else {
            let bytes = std::fs::read(&p).unwrap();
            let name = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.insert(name, xxhash(&bytes));
        }
    }
}

fn xxhash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Runs `sub base extra` in a fresh folder (prepared, then set up).
fn run_case(case: &Case, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    prepare(d);
    for step in case.setup {
        let out = syndic(&fill(step, d).iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            out.status.success(),
            "setup {step:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let own: Vec<&str> = extra.iter().filter_map(|a| a.strip_prefix('@')).collect();
    let rest: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|a| !a.starts_with('@'))
        .collect();
    let mut args = fill(case.sub, d);
    args.extend(fill(if own.is_empty() { case.input } else { &own }, d));
    args.extend(fill(case.base, d));
    args.extend(fill(&rest, d));
    observe(d, &args)
}

#[test]
fn every_flag_has_an_effect() {
    let mut failures = Vec::new();
    for case in cases() {
        let listed = listed_flags(case.sub);
        let checked: Vec<&str> = case.flags.iter().map(|v| v.0).collect();
        for flag in &listed {
            if !checked.contains(&flag.as_str()) {
                failures.push(format!("{:?} {flag}: no check in tests/flags.rs", case.sub));
            }
        }
        for (flag, base, variant) in &case.flags {
            if !listed.iter().any(|l| l == flag) {
                failures.push(format!("{:?} {flag}: checked but not accepted", case.sub));
                continue;
            }
            if run_case(&case, base) == run_case(&case, variant) {
                failures.push(format!("{:?} {flag}: no effect ({variant:?})", case.sub));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_defaults_equal_config_default() {
    let c = syndic::Config::default();
    let expected: Vec<(&str, String)> = vec![
        ("--shingle", c.shingle.to_string()),
        ("--num-perm", c.minhash.num_perm.to_string()),
        ("--scheme", "oph".into()),
        ("--seed", c.minhash.seed.to_string()),
        ("--boilerplate", "on".into()),
        ("--threshold", c.threshold.to_string()),
        ("--near-threshold", c.near_threshold.to_string()),
        ("--containment", c.containment.to_string()),
        ("--aligned", c.aligned_share.to_string()),
        ("--stories", "on".into()),
    ];
    for sub in [&["cluster"][..], &["dedup"], &["sign"], &["index", "build"]] {
        let mut args = sub.to_vec();
        args.push("--help");
        let help = String::from_utf8(syndic(&args).stdout).unwrap();
        let mut shown = 0;
        for (flag, value) in &expected {
            let Some(at) = help.find(&format!("{flag} <")) else {
                continue;
            };
            let entry: Vec<&str> = help[at..]
                .lines()
                .enumerate()
                .take_while(|(k, l)| {
                    *k == 0 || !(l.trim_start().starts_with('-') || l.trim().is_empty())
                })
                .map(|(_, l)| l.trim())
                .collect();
            let entry = entry.join(" ");
            assert!(
                entry.contains(&format!("[default: {value}]")),
                "{sub:?} {flag}: help says {entry:?}, Config::default() has {value}"
            );
            shown += 1;
        }
        assert!(shown >= 5, "{sub:?}: only {shown} settings found in --help");
    }
}
