# Shared by the story scripts (knobs.sh, embedded.sh); sourced, not run.
# Sets CORPORA, SEMEVAL and REUTERS (the shared corpora, from
# $SYNDIC_CORPORA or ../shared/corpora; stops with a message when SemEval
# train is absent), WORK (a temporary folder removed on exit) holding
# en.csv (SemEval train's English pairs, as their own corpus), and the
# functions `metric NAME` (the value of a row of `syndic eval`'s table, read
# from stdin) and `prf TABLE` (its pair precision, recall and F1, as
# "P | R | F1").
CORPORA=${SYNDIC_CORPORA:-../shared/corpora}
SEMEVAL=$CORPORA/semeval2022-task8-train/training_set.csv
REUTERS="$CORPORA/reuters21578/reut2-*.sgm"
if [[ ! -f $SEMEVAL ]]; then
    echo "$(basename "$0"): $SEMEVAL not found; the shared corpora are needed" >&2
    exit 2
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$SEMEVAL" "$WORK/en.csv" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
rows = csv.DictReader(open(sys.argv[1], newline=""))
out = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=rows.fieldnames)
out.writeheader()
for r in rows:
    if r["lang1"] == r["lang2"] == "en":
        out.writerow(r)
PY

metric() { grep -F "| $1 |" | head -1 | awk -F'|' '{gsub(/ /, "", $3); print $3}'; }
prf() { echo "$(metric 'pair precision' <<<"$1") | $(metric 'pair recall' <<<"$1") | $(metric 'pair F1' <<<"$1")"; }
