//! The Fluent files: the same message ids in both languages, every message renders with sample
//! arguments (selectors with 0, 1 and 5), and every file on disk is embedded.

use std::collections::{BTreeMap, BTreeSet};

use dvc_bot::i18n::{Args, I18n, Locale, RESOURCES};
use fluent_syntax::ast;

/// Variables a pattern uses, and whether each is ever a selector (then it gets numbers).
fn collect_vars<'s>(pattern: &ast::Pattern<&'s str>, vars: &mut BTreeMap<&'s str, bool>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            collect_expression(expression, vars);
        }
    }
}

fn collect_expression<'s>(
    expression: &ast::Expression<&'s str>,
    vars: &mut BTreeMap<&'s str, bool>,
) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, vars, true);
            for variant in variants {
                collect_vars(&variant.value, vars);
            }
        }
        ast::Expression::Inline(inline) => collect_inline(inline, vars, false),
    }
}

fn collect_inline<'s>(
    inline: &ast::InlineExpression<&'s str>,
    vars: &mut BTreeMap<&'s str, bool>,
    selector: bool,
) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            let entry = vars.entry(id.name).or_insert(false);
            *entry |= selector;
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for arg in &arguments.positional {
                collect_inline(arg, vars, selector);
            }
        }
        ast::InlineExpression::Placeable { expression } => collect_expression(expression, vars),
        _ => {}
    }
}

/// message id → its variables, for one locale's files read from disk.
fn messages(locale: &str) -> BTreeMap<String, BTreeMap<String, bool>> {
    let mut out = BTreeMap::new();
    for (file, vi, en) in RESOURCES {
        let source = if locale == "vi" { vi } else { en };
        let resource = fluent_syntax::parser::parse(*source)
            .unwrap_or_else(|(_, e)| panic!("{locale}/{file}: {e:?}"));
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                let mut vars = BTreeMap::new();
                if let Some(value) = &message.value {
                    collect_vars(value, &mut vars);
                }
                for attribute in &message.attributes {
                    collect_vars(&attribute.value, &mut vars);
                }
                let vars = vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                assert!(
                    out.insert(message.id.name.to_owned(), vars).is_none(),
                    "{locale}: {} twice",
                    message.id.name
                );
            }
        }
    }
    out
}

#[test]
fn every_file_on_disk_is_embedded() {
    let root = env!("CARGO_MANIFEST_DIR");
    for locale in ["vi", "en"] {
        let on_disk: BTreeSet<String> = std::fs::read_dir(format!("{root}/locales/{locale}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ftl"))
            .collect();
        let embedded: BTreeSet<String> = RESOURCES.iter().map(|(f, _, _)| f.to_string()).collect();
        assert_eq!(on_disk, embedded, "locales/{locale}");
        for (file, vi, en) in RESOURCES {
            let text = std::fs::read_to_string(format!("{root}/locales/{locale}/{file}")).unwrap();
            assert_eq!(text, if locale == "vi" { *vi } else { *en });
        }
    }
}

#[test]
fn both_languages_have_the_same_messages() {
    let vi = messages("vi");
    let en = messages("en");
    let vi_ids: BTreeSet<_> = vi.keys().collect();
    let en_ids: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        vi_ids.difference(&en_ids).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "in vi only"
    );
    assert_eq!(
        en_ids.difference(&vi_ids).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "in en only"
    );
    assert!(vi.len() > 10, "the files were read");
}

#[test]
fn every_message_renders_with_sample_arguments() {
    let i18n = I18n::load().unwrap();
    let mut rendered = 0;
    for locale in Locale::ALL {
        for (id, vars) in messages(locale.code()) {
            for n in [0, 1, 5] {
                let mut args = Args::new();
                for (name, selector) in &vars {
                    if *selector {
                        args.set(name.clone(), n);
                    } else {
                        args.set(name.clone(), format!("mẫu-{name}"));
                    }
                }
                let text = i18n
                    .try_text(locale, &id, Some(&args))
                    .unwrap_or_else(|e| panic!("{}: {e}", locale.code()));
                assert!(!text.trim().is_empty(), "{id} renders empty");
                // Sent with parse_mode HTML: Telegram's (and the sandbox's) rules must hold.
                if let Err(error) = dvc_bot::sandbox::html::parse(&text) {
                    panic!(
                        "{}:{id} is not Telegram HTML: {error:?}\n{text}",
                        locale.code()
                    );
                }
                assert!(!text.contains('\u{2068}'), "{id} has bidi marks");
                rendered += 1;
            }
        }
    }
    assert!(rendered > 0);
}

#[test]
fn plurals_pick_the_right_variant() {
    let i18n = I18n::load().unwrap();
    let count = |locale, n: i64| {
        let mut args = Args::new();
        args.set("count", n);
        i18n.text(locale, "dossier-count", Some(&args))
    };
    assert_eq!(count(Locale::En, 0), "You have no dossiers yet.");
    assert_eq!(count(Locale::En, 1), "You have one dossier.");
    assert_eq!(count(Locale::En, 5), "You have 5 dossiers.");
    assert_eq!(count(Locale::Vi, 1), "Bạn có 1 hồ sơ.");
    assert_eq!(count(Locale::Vi, 5), "Bạn có 5 hồ sơ.");
}

/// Every message id the code names literally (`msg("…")`, `.then("…")`) exists in both
/// languages; so do the ids it builds (`status-<status>`, `invalid-<code>`).
#[test]
fn every_message_the_code_names_exists() {
    let i18n = I18n::load().unwrap();
    let root = format!("{}/src", env!("CARGO_MANIFEST_DIR"));
    let mut ids = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(&root)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.starts_with(format!("{root}/sandbox"))
            {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for pattern in ["msg(\"", ".then(\""] {
                for (at, _) in source.match_indices(pattern) {
                    let rest = &source[at + pattern.len()..];
                    let id = &rest[..rest.find('"').unwrap()];
                    if id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')
                        && !id.is_empty()
                    {
                        ids.insert(id.to_owned());
                    }
                }
            }
        }
    }
    for status in dvc_bot::portal::model::DossierStatus::ALL {
        ids.insert(format!("status-{}", status.as_str()));
    }
    for code in [
        "full-name",
        "organisation-name",
        "cccd-format",
        "cccd-province",
        "tax-code",
        "birth-date-format",
        "birth-date-past",
        "birth-date-age",
        "phone",
        "email",
        "password-length",
        "password-mix",
        "money",
        "dossier-code",
        "address",
    ] {
        ids.insert(format!("invalid-{code}"));
    }
    assert!(ids.len() > 100, "the scan found the ids ({})", ids.len());
    let missing: Vec<String> = ids
        .iter()
        .flat_map(|id| {
            Locale::ALL
                .into_iter()
                .filter(|l| !i18n.has(*l, id))
                .map(move |l| format!("{}:{id}", l.code()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "messages named in code but missing: {missing:?}"
    );
}
