//! The portal's pages: server-rendered HTML from templates (minijinja, HTML
//! escaped), in Swedish, usable without JavaScript.

use minijinja::{Environment, UndefinedBehavior, Value};

const TEMPLATES: [(&str, &str); 8] = [
    ("base.html", include_str!("templates/base.html")),
    ("meddelande.html", include_str!("templates/meddelande.html")),
    ("logga_in.html", include_str!("templates/logga_in.html")),
    ("enhet.html", include_str!("templates/enhet.html")),
    (
        "uppladdning.html",
        include_str!("templates/uppladdning.html"),
    ),
    ("oversikt.html", include_str!("templates/oversikt.html")),
    ("granska.html", include_str!("templates/granska.html")),
    ("logg.html", include_str!("templates/logg.html")),
];

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Pages {
        let mut env = Environment::new();
        // A name a page uses but was not given is a bug, never an empty string.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            // The templates come with the program; one that does not parse is
            // caught by the tests, and renders as an error page.
            let _ = env.add_template(name, source);
        }
        Pages { env }
    }

    /// A page, or the template's error (a bug: the caller logs it).
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name).and_then(|t| t.render(ctx))
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
        let html = Pages::new()
            .render(
                "meddelande.html",
                minijinja::context! { title => "t", strategy => "s", message => "<script>", csrf => "" },
            )
            .unwrap();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }

    #[test]
    fn a_name_the_page_was_not_given_is_an_error() {
        let missing_csrf = minijinja::context! { title => "t", strategy => "s", message => "m" };
        assert!(
            Pages::new()
                .render("meddelande.html", missing_csrf)
                .is_err()
        );
    }
}
