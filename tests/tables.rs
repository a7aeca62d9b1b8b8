//! The indicator table as other tools open it: polars with its defaults,
//! Swedish Excel (`indikatorer-excel.csv`, and the workbook with the same
//! columns), and Parquet with counts as whole numbers.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use polars::prelude::*;
use uppfolj::store::names;

use crate::run::{csv_fields, shared};

/// polars types a column from its first 100 rows; all of them are counts, so
/// the value column must show decimals from the first row on.
#[test]
fn polars_reads_the_table_with_its_defaults_and_takes_values_for_decimals() {
    let csv = shared().bytes(names::INDICATORS_CSV);
    let df = CsvReader::new(Cursor::new(csv))
        .finish()
        .expect("polars reads indicators.csv with its defaults");
    assert_eq!(df.height(), shared().rows().len());
    assert_eq!(df.column("value").unwrap().dtype(), &DataType::Float64);
    assert_eq!(df.column("year").unwrap().dtype(), &DataType::Int64);
    let first = shared().rows()[0].span("value", "value")[0].to_string();
    assert!(first.ends_with(".0"), "{first}");
}

#[test]
fn the_excel_file_has_the_same_table_with_semicolons_decimal_commas_and_a_bom() {
    let s = shared();
    let bytes = &s.bytes(names::INDICATORS_EXCEL_CSV);
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
    let plain = s.text(names::INDICATORS_CSV);
    let (excel, plain): (Vec<&str>, Vec<&str>) = (text.lines().collect(), plain.lines().collect());
    assert_eq!(excel.len(), plain.len());
    assert_eq!(excel[0], plain[0].replace(',', ";"));
    let row = |lines: &[&str], start: &str, sep: char| {
        let line = lines.iter().find(|l| l.starts_with(start)).unwrap();
        line.split(sep).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        row(&excel, "GAP-1;2022;stad;total;total;", ';')[5..13],
        [
            "-28,71", "", "", "1105", "-31,77", "-25,68", "1030,9", "1,56"
        ]
    );
    // A count is whole in Excel: it types each cell by itself.
    assert_eq!(row(&excel, "ARB-1;2022;stad;total;total;", ';')[5], "161");
    // Text holding a comma needs no quotes where the separator is ';'.
    assert!(
        excel[1].contains(";Arbetssökande romer som nåtts med information, vägledning och stöd;"),
        "{}",
        excel[1]
    );
    // Every number is the plain file's, with a comma for the point.
    for (e, p) in excel.iter().zip(&plain).skip(1) {
        let (e, p) = (e.split(';').collect::<Vec<_>>(), csv_fields(p));
        for i in 5..13 {
            let number = |s: &str| s.replace(',', ".").parse::<f64>().ok();
            assert_eq!(number(e[i]), number(&p[i]), "{e:?}");
        }
    }
}

#[test]
fn the_workbook_has_every_column_and_names_each_area_whole() {
    let bytes = shared().bytes(names::WORKBOOK);
    let mut wb = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheets = wb.sheet_names();
    assert_eq!(sheets[0], "Innehåll");
    assert!(sheets.iter().all(|n| n.chars().count() <= 31), "{sheets:?}");
    assert!(
        sheets.contains(&"Rätten till arbete och…".to_string()),
        "{sheets:?}"
    );
    let contents = wb.worksheet_range("Innehåll").unwrap();
    let text = |r: &calamine::Range<Data>| -> Vec<String> {
        r.rows()
            .flat_map(|row| row.iter().map(|c| c.to_string()))
            .collect()
    };
    let listed = text(&contents);
    assert!(listed.contains(&"Rätten till arbete och försörjning".to_string()));
    let header_columns = shared().text(names::INDICATORS_CSV);
    for column in header_columns.lines().next().unwrap().split(',') {
        assert!(
            listed.contains(&column.to_string()),
            "{column} not explained"
        );
    }
    let sheet = wb.worksheet_range("Ansvarsfördelning och…").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header.len(), 25);
    for h in [
        "Enhet",
        "Grupp",
        "Måttenhet",
        "Effektivt antal svarande",
        "Medelfel",
        "Viktat",
        "Enhetens id",
    ] {
        assert!(header.contains(&h.to_string()), "{h}: {header:?}");
    }
    // A gap is the rounded value, in its unit.
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let gap = sheet
        .rows()
        .find(|r| {
            r[0] == Data::String("GAP-1".into())
                && r[2] == Data::Float(2022.0)
                && r[col("Grupp")] == Data::String("Totalt".into())
        })
        .unwrap();
    assert_eq!(gap[col("Värde")], Data::Float(-28.71));
    assert_eq!(gap[col("Antal (n)")], Data::Float(1105.0));
    assert_eq!(gap[col("Måttenhet")].to_string(), "procentenheter");
}

#[test]
fn the_parquet_file_keeps_counts_whole_and_values_rounded() {
    let bytes = shared().bytes(names::INDICATORS_PARQUET);
    let df = ParquetReader::new(Cursor::new(bytes)).finish().unwrap();
    for c in ["numerator", "denominator", "n"] {
        assert_eq!(df.column(c).unwrap().dtype(), &DataType::Int64, "{c}");
    }
    let values = df.column("value").unwrap().f64().unwrap();
    assert!(values.iter().flatten().any(|v| v == 0.814));
}

#[test]
fn the_dataset_partitioned_by_year_holds_the_whole_table_one_year_per_folder() {
    let s = shared();
    let whole = ParquetReader::new(Cursor::new(s.bytes(names::INDICATORS_PARQUET)))
        .finish()
        .unwrap();
    let mut years: Vec<i32> = whole
        .column("year")
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut rows = 0;
    for year in &years {
        let path = format!(
            "{}/year={year}/{}",
            names::INDICATORS_DATASET,
            names::PARTITION_FILE
        );
        let part = ParquetReader::new(Cursor::new(s.bytes(&path)))
            .finish()
            .unwrap();
        assert!(part.column("year").is_err(), "{path} repeats the year");
        let of_year = whole
            .clone()
            .lazy()
            .filter(col("year").eq(lit(*year)))
            .drop(by_name(["year"], true, false))
            .collect()
            .unwrap();
        assert!(part.equals_missing(&of_year), "{path}");
        rows += part.height();
    }
    assert_eq!(years, [2018, 2019, 2020, 2021, 2022]);
    assert_eq!(rows, whole.height());
}
