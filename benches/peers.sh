#!/usr/bin/env bash
# uppfolj beside its Python peers (../shared/peers/, not copied here), whole
# processes on the same generated inputs. Each pair is run alternately, RUNS
# times, and the medians and the ratio uppfolj/peer are printed as a Markdown
# table: on a shared machine a ratio from the same minutes is what to trust.
#
#   benches/peers.sh [--runs N] [--work DIR] [--only returns|survey|rerun]
#
# Needs: a Python with the peers' packages (PYTHON, default
# $HOME/.cache/uppfolj/peers-venv/bin/python; see ../shared/peers/README.md)
# and GNU time (/usr/bin/time). Generates about 3 GB under DIR the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=5
WORK="${TMPDIR:-/tmp}/uppfolj-peers"
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "okänt argument: $1" >&2; exit 2 ;;
  esac
done
PEERS="$(cd ../shared/peers && pwd)"
PYTHON="${PYTHON:-$HOME/.cache/uppfolj/peers-venv/bin/python}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/uppfolj/target}"
cargo build --release --quiet --bin uppfolj --example samples
UPPFOLJ="$CARGO_TARGET_DIR/release/uppfolj"
GEN="$CARGO_TARGET_DIR/release/examples/samples"
mkdir -p "$WORK"
TIMES="$WORK/times.tsv"
: > "$TIMES"

# The inputs, generated once (the generator is deterministic).
data() { # name, generator arguments...
  local dir="$WORK/$1"; shift
  [ -f "$dir/pipeline.toml" ] || "$GEN" scale-data "$@" --out "$dir" >/dev/null
  echo "$dir"
}

# One timed whole process: wall seconds and peak resident KB, appended to $TIMES.
timed() { # work, side, command...
  local work="$1" side="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || {
    local status=$?
    # validate and run exit 1 when they have findings to tell; anything else is a failure.
    [ "$status" -eq 1 ] && [ "$side" = uppfolj ] || { cat "$WORK/err.txt" >&2; exit 1; }
  }
  printf '%s\t%s\t%s\n' "$work" "$side" "$(tail -n1 "$WORK/time.txt" | tr ' ' '\t')" >> "$TIMES"
}

# RUNS alternating runs of uppfolj and its peer for one row of the table.
pair() { # work, uppfolj command (a string), peer command (a string)
  local work="$1" ours="$2" peer="$3"
  echo "… $work" >&2
  for _ in $(seq "$RUNS"); do
    timed "$work" uppfolj bash -c "$ours"
    timed "$work" peer bash -c "$peer"
  done
}

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

if want returns; then
  region="$(data region --units 1000 --respondents 200000)"
  pair "5 091 returns (region): \`uppfolj validate\` vs polars + fastexcel (-j 2)" \
    "'$UPPFOLJ' validate '$region/pipeline.toml' '$region/returns'" \
    "'$PYTHON' '$PEERS/peer_returns_polars.py' '$region/pipeline.toml' -j 2"
fi
if want survey; then
  parquet="$(data survey-parquet --units 0 --respondents 1000000)"
  csv="$(data survey-csv --units 0 --respondents 1000000 --csv)"
  for kind in parquet csv; do
    dir="$parquet"; [ "$kind" = csv ] && dir="$csv"
    ours="'$UPPFOLJ' run '$dir/pipeline.toml' --offline --quiet --no-cache --out '$WORK/ut-$kind'"
    pair "survey 5 × 1 M, $kind: \`uppfolj run\` vs Python polars" \
      "$ours" "'$PYTHON' '$PEERS/peer_survey_polars.py' '$dir/pipeline.toml'"
    pair "survey 5 × 1 M, $kind: \`uppfolj run\` vs DuckDB" \
      "$ours" "'$PYTHON' '$PEERS/peer_survey_duckdb.py' '$dir/pipeline.toml'"
  done
fi
if want rerun; then
  region="$(data region --units 1000 --respondents 200000)"
  "$UPPFOLJ" run "$region/pipeline.toml" --offline --quiet --out "$WORK/ut-rerun" >/dev/null || true
  pair "region, nothing changed: \`uppfolj run\` with its cache vs \`--no-cache\`" \
    "'$UPPFOLJ' run '$region/pipeline.toml' --offline --quiet --out '$WORK/ut-rerun'" \
    "'$UPPFOLJ' run '$region/pipeline.toml' --offline --quiet --no-cache --out '$WORK/ut-cold'"
  # One return changed before each run, in a copy of the inputs: one of
  # its numbers (benches/one-value.py), or only its bytes (a byte appended,
  # which a zip reader ignores: the values stay, like a return changed only
  # in words).
  edit="$WORK/region-edit"
  [ -f "$edit/pipeline.toml" ] || cp -r "$region" "$edit"
  one="$(find "$edit/returns" -name '*.xlsx' | sort | sed -n 1p)"
  "$UPPFOLJ" run "$edit/pipeline.toml" --offline --quiet --out "$WORK/ut-edit" >/dev/null || true
  pair "region, one value in one return changed: \`uppfolj run\` with its cache vs \`--no-cache\`" \
    "'$PYTHON' benches/one-value.py '$one' && '$UPPFOLJ' run '$edit/pipeline.toml' --offline --quiet --out '$WORK/ut-edit'" \
    "'$UPPFOLJ' run '$edit/pipeline.toml' --offline --quiet --no-cache --out '$WORK/ut-cold'"
  pair "region, one return's bytes changed, its values not: with its cache vs \`--no-cache\`" \
    "echo >> '$one' && '$UPPFOLJ' run '$edit/pipeline.toml' --offline --quiet --out '$WORK/ut-edit'" \
    "'$UPPFOLJ' run '$edit/pipeline.toml' --offline --quiet --no-cache --out '$WORK/ut-cold'"
fi

# Medians and ratios, in the order measured.
python3 - "$TIMES" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    work, side, secs, kb = line.rstrip("\n").split("\t")
    r = rows.setdefault(work, {"uppfolj": [], "peer": []})
    r[side].append((float(secs), int(kb)))
print("| work | uppfolj | peer | ratio | peak memory uppfolj / peer |")
print("| --- | --- | --- | --- | --- |")
for work, r in rows.items():
    t = {s: statistics.median(x[0] for x in v) for s, v in r.items()}
    m = {s: statistics.median(x[1] for x in v) / 1024 for s, v in r.items()}
    print(f"| {work} | {t['uppfolj']:.2f} s | {t['peer']:.2f} s | {t['uppfolj'] / t['peer']:.2f} "
          f"| {m['uppfolj']:.0f} / {m['peer']:.0f} MB ({m['uppfolj'] / m['peer']:.2f}) |")
PY
