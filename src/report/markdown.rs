//! The owner's Markdown as HTML for the report (pulldown-cmark): no raw
//! HTML (it is shown as text), no images (the report fetches nothing), a
//! link only to the web or a place in the report, and headings
//! below the section's own.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The HTML of `markdown`, its headings starting at `top` (h4 under a
/// section's h3).
pub fn to_html(markdown: &str, top: HeadingLevel) -> String {
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .filter_map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: below(level, top),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(below(level, top)))),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })
            if !safe(&dest_url) || matches!(e, Event::Start(Tag::Image { .. })) =>
        {
            dropped.push(true);
            None
        }
        Event::Start(Tag::Link { .. }) => {
            dropped.push(false);
            Some(e)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => match dropped.pop() {
            Some(true) => None,
            _ => Some(e),
        },
        other => Some(other),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A heading level moved under `top`, never past h6.
fn below(level: HeadingLevel, top: HeadingLevel) -> HeadingLevel {
    let n = (level as usize) + (top as usize) - 1;
    HeadingLevel::try_from(n.min(6)).unwrap_or(HeadingLevel::H6)
}

/// A link a reader may follow from a published report.
fn safe(url: &CowStr<'_>) -> bool {
    let u = url.trim().to_ascii_lowercase();
    ["https://", "http://", "#"]
        .iter()
        .any(|p| u.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_scripts_and_images_never_reach_the_page() {
        let html = to_html(
            "# Rubrik\n\n<script>alert(1)</script>\n\nText med [länk](javascript:alert(1)) och ![bild](https://x/y.png) och [stadens sida](https://start.stockholm/).",
            HeadingLevel::H4,
        );
        assert!(html.starts_with("<h4>Rubrik</h4>"), "{html}");
        assert!(
            !html.contains("<script") && html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(
            !html.contains("javascript:") && html.contains("länk"),
            "{html}"
        );
        assert!(!html.contains("<img") && html.contains("bild"), "{html}");
        assert!(
            html.contains("<a href=\"https://start.stockholm/\">stadens sida</a>"),
            "{html}"
        );
    }
}
