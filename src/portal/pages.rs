//! The portal's pages: server-rendered HTML from templates (minijinja, HTML
//! escaped), in Swedish, usable without JavaScript.

use minijinja::{Environment, Value};

const TEMPLATES: [(&str, &str); 6] = [
    ("base.html", include_str!("templates/base.html")),
    ("meddelande.html", include_str!("templates/meddelande.html")),
    ("logga_in.html", include_str!("templates/logga_in.html")),
    ("enhet.html", include_str!("templates/enhet.html")),
    (
        "uppladdning.html",
        include_str!("templates/uppladdning.html"),
    ),
    ("oversikt.html", include_str!("templates/oversikt.html")),
];

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Pages {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // The templates come with the program; one that does not parse is
            // caught by the tests, and renders as an error page.
            let _ = env.add_template(name, source);
        }
        Pages { env }
    }

    /// A page; a template error (a bug) becomes a plain Swedish message.
    pub fn render(&self, name: &str, ctx: Value) -> String {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|_| {
                "<!doctype html><html lang=\"sv\"><title>Fel</title><p>Sidan kunde inte visas. Rapportera felet till den som underhåller uppfolj.</p></html>".into()
            })
    }
}

impl Default for Pages {
    fn default() -> Self {
        Pages::new()
    }
}

/// "2,3 MB", "18 kB": a file size for people.
pub fn size(bytes: i64) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", crate::text::decimal(bytes as f64 / 1e6, 1))
    } else if bytes >= 1_000 {
        format!("{} kB", crate::text::decimal(bytes as f64 / 1e3, 0))
    } else {
        format!("{bytes} byte")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let pages = Pages::new();
        for (name, _) in TEMPLATES {
            assert!(pages.env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn values_are_escaped() {
        let html = Pages::new().render(
            "meddelande.html",
            minijinja::context! { title => "t", strategy => "s", message => "<script>" },
        );
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
