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
source "$(dirname "$0")/common.sh"
OWN=benches/stories/reuters-same-event.csv

# Scores one settings file: P R F1 for each pair set, P for each generated set.
score() {
    local cfg=$1 row=""
    for set in "$WORK/en.csv" "$SEMEVAL"; do
        "$SYNDIC" cluster "$set" --config "$cfg" -q -o "$WORK/out.jsonl"
        local e
        e=$("$SYNDIC" eval --pairs "$set" --pred "$WORK/out.jsonl" --level story)
        row+=" $(prf "$e") |"
    done
    "$SYNDIC" cluster "$REUTERS" --config "$cfg" -q -o "$WORK/out.jsonl"
    local e
    e=$("$SYNDIC" eval --pairs "$OWN" --pred "$WORK/out.jsonl" --level story)
    row+=" $(prf "$e") |"
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
combination_share 0
combination_share 0.25
combination_share 0.5
KNOBS
printf '[story]\n' >"$WORK/cfg.toml"
echo "| default |$(score "$WORK/cfg.toml")"
