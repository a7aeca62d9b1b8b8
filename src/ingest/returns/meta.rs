//! The hidden sheet a template carries: that it is there and unchanged, made
//! for this pipeline, and the unit and year it names.

use super::*;

/// The hidden sheet: that it is there and unchanged, and made for this
/// pipeline and template version; the unit and year it names.
pub(super) fn read_meta<'p>(
    p: &'p Pipeline,
    book: &mut Book,
    file: &str,
    use_template: &str,
) -> Result<(Range<Data>, &'p Unit, i32), Refusal> {
    let refuse_at = |sheet: Option<&str>, cell, message| Refusal::at(file, sheet, cell, message);
    let meta = open_meta(p, book, file, use_template)?;
    let meta_value = |row: u32| text_of(meta.get_value((row, 1)));
    let pipeline_id = meta_value(0);
    if pipeline_id != p.strategy.id {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B1".into()),
            format!(
                "mallen hör till en annan uppföljning (\"{pipeline_id}\"), inte till {} (\"{}\"). {use_template}",
                p.strategy.title, p.strategy.id
            ),
        ));
    }
    let version = meta_value(1);
    if version != p.returns.template_version.to_string() {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B2".into()),
            format!(
                "filen är gjord från mallversion {version}, men årets mall är version {}. Uppgifterna måste föras över till den nya mallen. {use_template}",
                p.returns.template_version
            ),
        ));
    }
    let unit_id = meta_value(2);
    let Some(unit) = p.unit(&unit_id) else {
        return Err(refuse_at(
            Some(layout::SHEET_META),
            Some("B3".into()),
            format!("mallen gäller en okänd enhet \"{unit_id}\". {use_template}"),
        ));
    };
    let year: i32 = match meta_value(3).parse() {
        Ok(y) => y,
        Err(_) => {
            return Err(refuse_at(
                Some(layout::SHEET_META),
                Some("B4".into()),
                format!(
                    "året på det dolda bladet går inte att läsa (\"{}\"). {use_template}",
                    meta_value(3)
                ),
            ));
        }
    };
    Ok((meta, unit, year))
}

/// The hidden sheet, there and with its keys unchanged.
pub(super) fn open_meta(
    p: &Pipeline,
    book: &mut Book,
    file: &str,
    use_template: &str,
) -> Result<Range<Data>, Refusal> {
    let refuse_at = |sheet: Option<&str>, cell, message| Refusal::at(file, sheet, cell, message);
    let names = book.sheet_names();
    if let Some(twice) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].iter().any(|m| m.eq_ignore_ascii_case(n)))
    {
        return Err(refuse_at(
            None,
            None,
            format!(
                "arbetsboken har två blad som heter {}, så det går inte att veta vilket som gäller. Filen har ändrats utanför Excel. {use_template}",
                crate::text::excerpt(twice.1)
            ),
        ));
    }
    if !names.iter().any(|n| n == layout::SHEET_META) {
        return Err(refuse_at(
            None,
            None,
            format!(
                "filen saknar det dolda bladet {} som visar vilken nämnd, vilket år och vilken mall den gäller. Den verkar inte vara gjord från uppfoljs mall. {use_template}",
                layout::SHEET_META
            ),
        ));
    }
    let (meta, _) = read_sheet(book, layout::SHEET_META, p, file)?;
    for (i, key) in layout::META_KEYS.iter().enumerate() {
        let found = text_of(meta.get_value((i as u32, 0)));
        if found != *key {
            return Err(refuse_at(
                Some(layout::SHEET_META),
                Some(layout::a1(i as u32, 0)),
                format!(
                    "det dolda bladet är ändrat (väntade \"{key}\", fann \"{found}\"). {use_template}"
                ),
            ));
        }
    }
    Ok(meta)
}

/// The year a return says it is for: the one it was handed in for, in the
/// period, and one its unit reports.
pub(super) fn check_year(
    p: &Pipeline,
    unit: &Unit,
    year: i32,
    expect: Expect,
) -> Result<(), String> {
    if let Some(expected) = expect.year
        && expected != year
    {
        return Err(format!(
            "filen är {}s mall för {year}, men den lämnades in för {expected}. Använd mallen för {expected} och fyll i årets uppgifter.",
            unit.name
        ));
    }
    if !p.strategy.period.contains(year) {
        return Err(format!(
            "mallen gäller {year}, utanför strategins period {}–{}. Hämta mallen för ett år i perioden och för över uppgifterna dit.",
            p.strategy.period.from, p.strategy.period.to
        ));
    }
    if !unit.reports_in(year) {
        return Err(not_reporting(p, unit, year));
    }
    Ok(())
}

/// Why a unit hands in nothing for a year, and who does instead: its
/// successors once it has ended, its predecessors before it began.
pub(super) fn not_reporting(p: &Pipeline, unit: &Unit, year: i32) -> String {
    let names = |ids: Vec<&str>| {
        let names: Vec<String> = ids.iter().map(|id| p.unit_name(id)).collect();
        crate::text::list(&names.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let predecessors: Vec<&str> = p
        .units
        .iter()
        .filter(|u| u.successors.contains(&unit.id) && u.reports_in(year))
        .map(|u| u.id.as_str())
        .collect();
    let instead = if !unit.successors.is_empty() && predecessors.is_empty() {
        let ids = unit.successors.iter().map(String::as_str).collect();
        format!("återrapporteringen för {year} lämnas av {}", names(ids))
    } else if !predecessors.is_empty() {
        format!(
            "återrapporteringen för {year} lämnas av {}",
            names(predecessors)
        )
    } else {
        format!("ingen återrapportering ska lämnas för {year}")
    };
    format!(
        "{} fanns inte den 31 december {year}; {instead}. Kontrollera att rätt år är valt, eller kontakta {}.",
        unit.name,
        p.owner_name()
    )
}

/// A warning when the file's name suggests another unit than its template's.
pub(super) fn name_warning(p: &Pipeline, path: &Path, unit: &Unit) -> Option<Warning> {
    let stem = path.file_stem().and_then(|s| s.to_str())?;
    // The longest unit id the name starts with, followed by '-' or nothing.
    let named = stem
        .char_indices()
        .filter(|(_, c)| *c == '-')
        .map(|(i, _)| &stem[..i])
        .chain(std::iter::once(stem))
        .filter_map(|prefix| p.unit(prefix))
        .max_by_key(|u| u.id.len())?;
    (named.id != unit.id).then(|| {
        (
            None,
            None,
            format!(
                "filnamnet tyder på {} men filen är {}s mall; uppgifterna räknas för {}. Kontrollera att rätt nämnd har fyllt i rätt mall.",
                named.name, unit.name, unit.name
            ),
        )
    })
}

/// The hidden sheet's row map must be the one this pipeline gives the unit
/// for the year; otherwise the template was made from another definition.
pub(super) fn check_row_map(
    meta: &Range<Data>,
    l: &Layout<'_>,
    use_template: &str,
) -> Result<(), String> {
    let mut expected: Vec<[String; 5]> = l
        .indicators
        .iter()
        .enumerate()
        .map(|(i, r)| {
            [
                layout::SHEET_INDICATORS.to_string(),
                (layout::FIRST_ROW + i as u32 + 1).to_string(),
                r.indicator.id.clone(),
                r.key.breakdown.clone(),
                r.key.group.clone(),
            ]
        })
        .collect();
    expected.extend(l.measures.iter().enumerate().map(|(i, m)| {
        [
            layout::SHEET_ACTIVITIES.to_string(),
            (layout::FIRST_ROW + i as u32 + 1).to_string(),
            m.id.clone(),
            String::new(),
            String::new(),
        ]
    }));
    let mut row = layout::META_MAP_ROW;
    for exp in &expected {
        let found: Vec<String> = (0..5).map(|c| text_of(meta.get_value((row, c)))).collect();
        if found != exp.as_slice() {
            return Err(format!(
                "mallen stämmer inte med årets indikatorer och åtgärder för nämnden (rad {} på det dolda bladet: väntade {}, fann {}). Den gjordes troligen före en ändring av uppföljningen. {use_template}",
                row + 1,
                exp.join(" "),
                found.join(" ").trim()
            ));
        }
        row += 1;
    }
    let extra = text_of(meta.get_value((row, 2)));
    if !extra.is_empty() {
        return Err(format!(
            "mallen har fler rader än årets uppföljning ({extra} på rad {} på det dolda bladet). {use_template}",
            row + 1
        ));
    }
    Ok(())
}
