#!/usr/bin/env bash
# The README's story-level knob table: one story setting at a time, the rest
# at default, scored on SemEval-2022 train (English pairs only, and all
# languages), on our own labelled Reuters-21578 pairs and, as checks, on the
# generated sets' story labels (pair precision).
#
#   benches/stories/knobs.sh [SYNDIC] [GENERATED]
#
# SYNDIC is the binary (default target/release/syndic). GENERATED is a
# folder holding reutgen/ and bbcgen/ (each `articles.jsonl`, `labels.tsv`,
# from `syndic corpora generate`); without it those columns say "-". The
# shared corpora are read from ../shared/corpora; the script stops with a
# message when they are absent.
set -euo pipefail
SYNDIC=${1:-target/release/syndic}
GEN=${2:-}
CORPORA=${SYNDIC_CORPORA:-../shared/corpora}
SEMEVAL=$CORPORA/semeval2022-task8-train/training_set.csv
REUTERS="$CORPORA/reuters21578/reut2-*.sgm"
OWN=benches/stories/reuters-same-event.csv
if [[ ! -f $SEMEVAL ]]; then
    echo "knobs.sh: $SEMEVAL not found; the shared corpora are needed" >&2
    exit 2
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# SemEval train's English pairs, as their own corpus.
python3 - "$SEMEVAL" "$WORK/en.csv" <<'EOF'
import csv, sys
csv.field_size_limit(1 << 30)
rows = csv.DictReader(open(sys.argv[1], newline=""))
out = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=rows.fieldnames)
out.writeheader()
for r in rows:
    if r["lang1"] == r["lang2"] == "en":
        out.writerow(r)
EOF

# The value of a metric row of `syndic eval`'s table.
metric() { grep -F "| $1 |" | head -1 | awk -F'|' '{gsub(/ /, "", $3); print $3}'; }

# Scores one settings file: P R F1 for each pair set, P for each generated set.
score() {
    local cfg=$1 row=""
    for set in "$WORK/en.csv" "$SEMEVAL"; do
        "$SYNDIC" cluster "$set" --config "$cfg" -q -o "$WORK/out.jsonl"
        local e
        e=$("$SYNDIC" eval --pairs "$set" --pred "$WORK/out.jsonl" --level story)
        row+=" $(metric 'pair precision' <<<"$e") | $(metric 'pair recall' <<<"$e") | $(metric 'pair F1' <<<"$e") |"
    done
    "$SYNDIC" cluster "$REUTERS" --config "$cfg" -q -o "$WORK/out.jsonl"
    local e
    e=$("$SYNDIC" eval --pairs "$OWN" --pred "$WORK/out.jsonl" --level story)
    row+=" $(metric 'pair precision' <<<"$e") | $(metric 'pair recall' <<<"$e") | $(metric 'pair F1' <<<"$e") |"
    for g in reutgen bbcgen; do
        if [[ -n $GEN && -f $GEN/$g/articles.jsonl ]]; then
            "$SYNDIC" cluster "$GEN/$g/articles.jsonl" --config "$cfg" -q -o "$WORK/out.jsonl"
            e=$("$SYNDIC" eval --labels "$GEN/$g/labels.tsv" --pred "$WORK/out.jsonl" --level story)
            row+=" $(metric 'pair precision' <<<"$e") |"
        else
            row+=" - |"
        fi
    done
    echo "$row"
}

echo "| setting | en P | en R | en F1 | all P | all R | all F1 | own Reuters P | own R | own F1 | Reuters-gen P | BBC-gen P |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
while read -r knob value; do
    [[ -z $knob ]] && continue
    printf '[story]\n%s = %s\n' "$knob" "$value" >"$WORK/cfg.toml"
    echo "| $knob $value |$(score "$WORK/cfg.toml")"
done <<'KNOBS'
similarity 0.08
similarity 0.1
similarity 0.16
similarity 0.2
min_lead_terms 0
min_lead_terms 1
min_lead_terms 3
min_rare_terms 2
min_rare_terms 4
rare_posting 3
rare_posting 8
strong_similarity 0.5
strong_similarity 0.7
quote_window_days 0
quote_window_days 2
min_shared_share 0.1
min_shared_share 2
window_days 2
window_days 7
window_days 30
cross_language_similarity 0.03
cross_language_similarity 0.12
min_shared_names 0
min_shared_names 3
min_shared_names 5
name_posting 8
name_posting 12
name_posting 50
same_day_similarity 0.15
same_day_similarity 0.2
same_day_similarity 0.3
KNOBS
printf '[story]\n' >"$WORK/cfg.toml"
echo "| default |$(score "$WORK/cfg.toml")"
