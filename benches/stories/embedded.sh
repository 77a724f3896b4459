#!/usr/bin/env bash
# Story recall where rewrites sit in a large corpus: SemEval-2022 train's
# English pairs (real reports of one event by two outlets, and pairs of
# different events, labelled by people) clustered alone, then together with
# a large background of other news: all of Reuters-21578 and, given
# GENERATED, BBC-generated. Pairs are scored only among the SemEval
# articles (`syndic eval --pairs`), so the background changes nothing but
# the corpus the SemEval articles are judged in: which terms are rare, the
# document frequencies, the candidates.
#
#   benches/stories/embedded.sh [SYNDIC] [GENERATED] [-- CLUSTER-ARGS...]
#
# SYNDIC is the binary (default target/release/syndic); GENERATED a folder
# holding bbcgen/articles.jsonl (from `syndic corpora generate`). Arguments
# after `--` go to every `syndic cluster` (e.g. `--config knob.toml`).
set -euo pipefail
SYNDIC=${1:-target/release/syndic}
GEN=${2:-}
shift $(( $# < 2 ? $# : 2 ))
[[ ${1:-} == -- ]] && shift
source "$(dirname "$0")/common.sh"
row() {
    local name=$1; shift
    "$SYNDIC" cluster "$WORK/en.csv" "$@" -q -o "$WORK/out.jsonl"
    local e
    e=$("$SYNDIC" eval --pairs "$WORK/en.csv" --pred "$WORK/out.jsonl" --level story)
    echo "| $name | $(prf "$e") |"
}
echo "| SemEval train English pairs | P | R | F1 |"
echo "|---|---|---|---|"
row "alone (321 articles)" "$@"
row "with Reuters-21578 (21,578 reports)" $REUTERS "$@"
if [[ -n $GEN && -f $GEN/bbcgen/articles.jsonl ]]; then
    row "with BBC-generated" "$GEN/bbcgen/articles.jsonl" "$@"
    row "with both" $REUTERS "$GEN/bbcgen/articles.jsonl" "$@"
fi
