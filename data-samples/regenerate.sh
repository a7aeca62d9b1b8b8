#!/usr/bin/env bash
# Regenerates data-samples/returns/ and data-samples/survey/ with the
# deterministic generator, then has
# LibreOffice Calc re-save a few returns (as .xlsx, .ods and .xls), so that
# ingestion is proven on files rust_xlsxwriter did not write.
# Needs LibreOffice: apt-get install libreoffice-calc
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline=pipelines/romsk-inkludering-2018-2022.toml
rm -rf data-samples/returns
cargo run --quiet --example samples -- sample-data "$pipeline" --out data-samples/returns
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Keep in step with LIBREOFFICE in examples/samples/generate/mod.rs.
for spec in kun:2021:xlsx farsta:2022:ods bromma:2019:xls; do
  IFS=: read -r unit year format <<<"$spec"
  src=data-samples/returns/$year/$unit-$year.xlsx
  soffice --headless --convert-to "$format" --outdir "$tmp/$format" "$src" >/dev/null
  rm "$src"
  mv "$tmp/$format/$unit-$year.$format" "data-samples/returns/$year/"
done
cargo run --quiet -- validate "$pipeline" data-samples/returns data-samples/survey || true
