//! The TOML parser's syntax errors in Swedish. Its messages are a short
//! English description and what it expected instead, e.g. "unclosed array,
//! expected `]`"; each known description gets its Swedish words, and an
//! unknown one a general sentence rather than the English.

/// A TOML syntax error message in Swedish.
pub fn swedish(message: &str) -> String {
    let (what, expected) = match message.split_once(", expected ") {
        Some((what, expected)) => (what, Some(expected)),
        None => (message, None),
    };
    let what = description(what.trim());
    match expected {
        Some(e) => format!("{what} (här väntades {})", expected_words(e.trim())),
        None => what.to_string(),
    }
}

fn description(what: &str) -> &'static str {
    if what.starts_with("duplicate key") {
        return "samma nyckel står två gånger i samma tabell";
    }
    match what {
        "unclosed array" => "en lista ([ …) stängs aldrig med ]",
        "unclosed array table" => "en rubrik [[ … stängs aldrig med ]]",
        "unclosed table" => "en rubrik [ … stängs aldrig med ]",
        "unclosed inline table" => "en tabell { … stängs aldrig med }",
        "invalid basic string" | "invalid multi-line basic string" | "missing opening quote" => {
            "en text inom citattecken är inte stängd eller innehåller otillåtna tecken"
        }
        "invalid literal string" | "invalid multi-line literal string" => {
            "en text inom apostrofer är inte stängd eller innehåller otillåtna tecken"
        }
        "string values must be quoted" => "en text måste stå inom citattecken",
        "missing escaped value" | "too few unicode value digits" => {
            "ett omvänt snedstreck (\\) i en text följs inte av en giltig kod; skriv \\\\ för ett snedstreck"
        }
        "missing comma between array elements" => "kommatecken saknas mellan värdena i en lista",
        "missing comma between key-value pairs" => "kommatecken saknas mellan fälten i en tabell",
        "extra comma in array" | "extra comma in inline table" => "ett kommatecken för mycket",
        "missing assignment between key-value pairs" | "key with no value" => {
            "ett likhetstecken (=) saknas efter nyckeln"
        }
        "missing value for key" | "missing value" => "värdet saknas efter likhetstecknet",
        "extra `=`" | "extra assignment between key-value pairs" | "unexpected `=` in array" => {
            "ett likhetstecken för mycket"
        }
        "invalid unquoted key" | "unquoted keys cannot be empty" => {
            "nyckeln får bara ha bokstäver a–z, siffror, - och _ (eller stå inom citattecken)"
        }
        "keys cannot be multi-line basic strings" | "keys cannot be multi-line literal strings" => {
            "en nyckel kan inte vara en text över flera rader"
        }
        "invalid comment character" | "missing comment start" => {
            "en kommentar börjar med # och får inte innehålla styrtecken"
        }
        "carriage return must be followed by newline" => "ett ensamt vagnreturtecken (CR) i filen",
        "unexpected content between comment and newline" | "unexpected content" => {
            "det står något här som inte hör hemma i TOML"
        }
        "unexpected key or value" | "invalid key-value pair" | "invalid inline table element" => {
            "raden är varken en rubrik, ett fält (nyckel = värde) eller en kommentar"
        }
        "missing key for inline table element" => "ett fält i en tabell { … } saknar nyckel",
        "missing array opening" | "missing inline table opening" | "missing table open" => {
            "en öppnande hakparentes eller klammer saknas"
        }
        "invalid value" => {
            "värdet är varken en text, ett tal, sant/falskt, ett datum, en lista eller en tabell"
        }
        "unexpected leading zero" | "redundant integer number prefix" => {
            "ett tal får inte börja med 0 (skriv 7, inte 07)"
        }
        "unexpected sign" | "redundant numeric sign" | "integers with a radix cannot be signed" => {
            "ett tecken (+ eller −) står där det inte får stå"
        }
        "radix must be lowercase" => "talprefixet skrivs med gemener (0x, 0o, 0b)",
        "`_` may only go between digits" => "understreck (_) i ett tal får bara stå mellan siffror",
        "cannot recurse further; max recursion depth met" | "recursion limit" => {
            "listor eller tabeller är inbäddade i för många nivåer"
        }
        _ => "raden följer inte TOML-formatet",
    }
}

/// What the parser expected, e.g. "`]`, `,`" or "key".
fn expected_words(expected: &str) -> String {
    let words: Vec<String> = expected
        .split(", ")
        .map(|e| match e {
            "nothing" => "inget mer på raden".to_string(),
            "newline" => "en ny rad".to_string(),
            "key" => "en nyckel".to_string(),
            "value" => "ett värde".to_string(),
            "numbers" => "siffror".to_string(),
            "letters" => "bokstäver".to_string(),
            "literal string" => "en text inom apostrofer".to_string(),
            "basic string" => "en text inom citattecken".to_string(),
            "unicode hexadecimal value" => "en hexadecimal teckenkod".to_string(),
            literal if literal.starts_with('`') || literal.starts_with('\'') => literal.to_string(),
            _ => "något annat".to_string(),
        })
        .collect();
    words.join(" eller ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_description_and_what_was_expected_are_told_in_swedish() {
        assert_eq!(
            swedish("unclosed array, expected `]`"),
            "en lista ([ …) stängs aldrig med ] (här väntades `]`)"
        );
        assert_eq!(
            swedish("missing value for key, expected value, `[`"),
            "värdet saknas efter likhetstecknet (här väntades ett värde eller `[`)"
        );
    }

    #[test]
    fn an_unknown_description_is_never_passed_on_in_english() {
        assert_eq!(
            swedish("something new, expected etc"),
            "raden följer inte TOML-formatet (här väntades något annat)"
        );
    }
}
