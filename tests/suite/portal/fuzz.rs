//! Issue 13: the portal's API fuzzed from its own OpenAPI document. For every operation the
//! document lists, a seeded generator makes requests from the operation's own schemas — valid
//! bodies, then the same with wrong types, missing and unknown fields, nulls, huge strings,
//! control and bidi characters, deep nesting, bodies that are not JSON — with existing,
//! missing and junk path values, documented and junk query values, and the right, a wrong or
//! no token. Every answer must be below 500, have a status the document lists for that
//! operation, and, when it is JSON the document describes, match that schema.
//!
//! `DVC_API_FUZZ_CASES` (requests per operation, default 40) and `DVC_API_FUZZ_SEED` (default:
//! a new one, printed with every failure) to run it longer or repeat it.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{BIRTH, PASSWORD, TestPortal, cccd, pdf, png, spawn_portal};
use crate::support::engines;

const DEFAULT_CASES_PER_OPERATION: usize = 40;
/// Deepest nesting a generated value reaches before it is cut short.
const MAX_DEPTH: usize = 6;

/// What the requests may name: things that exist in the portal.
struct Known {
    session: String,
    officer: String,
    service: String,
    code: String,
    sent_id: String,
    draft_id: String,
    document: String,
}

#[tokio::test]
async fn the_api_answers_hostile_requests_as_its_document_says() {
    let cases: usize = std::env::var("DVC_API_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES_PER_OPERATION);
    let seed: u64 = std::env::var("DVC_API_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random);
    let repeat = format!("DVC_API_FUZZ_SEED={seed} DVC_API_FUZZ_CASES={cases}");
    println!("api fuzz: {cases} requests per operation; repeat with {repeat}");
    let tp = spawn_portal(engines()[0]).await;
    let session = tp.citizen(&cccd("8001")).await;
    let sent = tp.submitted(&session.token).await;
    let draft = tp.complete_draft(&session.token).await;
    let known = Known {
        session: session.token.clone(),
        officer: tp.officer_token.clone(),
        service: tp.service_token.clone(),
        code: sent.code.clone().expect("a code").as_str().to_owned(),
        sent_id: sent.id.to_string(),
        draft_id: draft.id.to_string(),
        document: sent.documents[0].id.to_string(),
    };
    let doc: Value = tp
        .http
        .get(tp.api("/openapi.json"))
        .send()
        .await
        .expect("the document")
        .json()
        .await
        .expect("JSON");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut requests = 0;
    let started = std::time::Instant::now();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("an operation") {
            let generator = Generator {
                doc: &doc,
                known: &known,
            };
            let op_started = std::time::Instant::now();
            for _ in 0..cases {
                let request = generator.request(&mut rng, path, method, op);
                let what = request.describe();
                let answer = request.send(&tp).await;
                requests += 1;
                if let Err(e) = check(&doc, op, answer).await {
                    failures.push(format!("{method} {path} [{what}]: {e}"));
                }
            }
            let took = op_started.elapsed();
            if took > std::time::Duration::from_secs(2) {
                println!("api fuzz: {method} {path} took {:.1} s", took.as_secs_f64());
            }
        }
    }
    println!(
        "api fuzz: {requests} requests in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} failures (repeat with {repeat}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// An answer's status is documented for the operation, below 500, and a JSON answer matches
/// the schema documented for its status.
async fn check(doc: &Value, op: &Value, answer: reqwest::Response) -> Result<(), String> {
    let status = answer.status();
    let is_json = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    let body = answer.bytes().await.map_err(|e| e.to_string())?;
    let shown = || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    if status.is_server_error() {
        return Err(format!("{status}: {}", shown()));
    }
    let Some(documented) = op["responses"].get(status.as_str()) else {
        return Err(format!("{status} is not documented: {}", shown()));
    };
    let schema = &documented["content"]["application/json"]["schema"];
    if schema.is_null() || !is_json {
        return Ok(());
    }
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        format!(
            "{status}: a JSON answer that does not parse ({e}): {}",
            shown()
        )
    })?;
    validate(doc, schema, &value, "$").map_err(|e| {
        format!(
            "{status}: the answer does not match its schema: {e}: {}",
            shown()
        )
    })
}

/// A JSON value against the subset of JSON Schema the document uses: `$ref`, `type` (one or
/// several), `enum`, `const`, `properties`, `required`, `additionalProperties`, `items`,
/// `oneOf`, `anyOf`, `allOf`.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        return validate(doc, resolve(doc, r), value, at);
    }
    if schema.as_bool() == Some(true) || schema.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let errors: Vec<String> = options
                .iter()
                .filter_map(|s| validate(doc, s, value, at).err())
                .collect();
            if errors.len() == options.len() {
                return Err(format!(
                    "{at}: matches none of {key}: {}",
                    errors.join(" | ")
                ));
            }
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            validate(doc, s, value, at)?;
        }
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        return Err(format!("{at}: {value} is not {c}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        return Err(format!("{at}: {} is not {types:?}", short(value)));
    }
    if let Value::Object(fields) = value {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !fields.contains_key(name) {
                return Err(format!("{at}: required {name:?} missing"));
            }
        }
        let properties = schema["properties"].as_object();
        for (name, v) in fields {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => validate(doc, s, v, &format!("{at}.{name}"))?,
                None => match &schema["additionalProperties"] {
                    Value::Bool(false) => return Err(format!("{at}: unknown field {name:?}")),
                    s @ Value::Object(_) => validate(doc, s, v, &format!("{at}.{name}"))?,
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            validate(doc, s, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn short(value: &Value) -> String {
    let s = value.to_string();
    s.chars().take(80).collect()
}

/// `#/components/schemas/Name` in the document.
fn resolve<'d>(doc: &'d Value, reference: &str) -> &'d Value {
    let mut at = doc;
    for part in reference.trim_start_matches("#/").split('/') {
        at = &at[part];
    }
    at
}

/// One request to make.
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    token: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    Multipart(Vec<(String, String, Vec<u8>)>),
}

impl Request {
    fn describe(&self) -> String {
        let body = match &self.body {
            Body::None => "no body".to_owned(),
            Body::Json(v) => {
                let s = v.to_string();
                if s.len() > 160 {
                    format!("{}… ({} bytes)", &s[..s.floor_char_boundary(160)], s.len())
                } else {
                    s
                }
            }
            Body::Raw(t, b) => format!("{t}, {} bytes", b.len()),
            Body::Multipart(parts) => format!(
                "multipart {:?}",
                parts
                    .iter()
                    .map(|(n, f, b)| (n, f, b.len()))
                    .collect::<Vec<_>>()
            ),
        };
        let path: String = self.path.chars().take(120).collect();
        format!(
            "{path} query {:?} token {} {body}",
            self.query
                .iter()
                .map(|(k, v)| (k, v.chars().take(40).collect::<String>()))
                .collect::<Vec<_>>(),
            match &self.token {
                None => "none",
                Some(t) if t == "wrong-token" => "wrong",
                Some(_) => "right",
            }
        )
    }

    async fn send(self, tp: &TestPortal) -> reqwest::Response {
        let method = Method::from_bytes(self.method.to_uppercase().as_bytes()).expect("method");
        let mut request = tp
            .http
            .request(method, format!("{}{}", tp.url, self.path))
            .query(&self.query);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request = match self.body {
            Body::None => request,
            Body::Json(v) => request.json(&v),
            Body::Raw(content_type, bytes) => {
                request.header("content-type", content_type).body(bytes)
            }
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, file_name, bytes) in parts {
                    form = form.part(
                        name,
                        reqwest::multipart::Part::bytes(bytes).file_name(file_name),
                    );
                }
                request.multipart(form)
            }
        };
        request.send().await.expect("the portal answers")
    }
}

/// Makes requests from an operation's own description.
struct Generator<'a> {
    doc: &'a Value,
    known: &'a Known,
}

impl Generator<'_> {
    fn request(&self, rng: &mut StdRng, path: &str, method: &str, op: &Value) -> Request {
        let mut concrete = path.to_owned();
        for (name, value) in [
            ("{code}", self.code_value(rng, path)),
            ("{dossier}", self.dossier_value(rng)),
            ("{document}", self.id_value(rng, &self.known.document)),
            ("{id}", self.id_value(rng, "1")),
        ] {
            // Long, but within what an HTTP client puts in a URL (the `http` crate refuses a
            // URI over 64 KiB before anything is sent; even 5000 characters of 9 bytes encoded
            // stay under it).
            let value: String = value.chars().take(5000).collect();
            concrete = concrete.replace(name, &value);
        }
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default().to_owned();
            match p["in"].as_str() {
                // The event feed's long poll waits as long as asked (up to 30 s) for an event
                // that does not come: asked briefly here.
                Some("query") if name == "wait_ms" => {
                    let v = ["0", "1", "20", "-5", "x", "99999999999"]
                        .choose(rng)
                        .expect("waits");
                    query.push((name, v.to_string()));
                }
                Some("query") if rng.gen_bool(0.7) => {
                    // Long, but within what an HTTP client sends in a URL.
                    let v: String = self
                        .scalar(rng, &p["schema"], &name)
                        .chars()
                        .take(4000)
                        .collect();
                    query.push((name, v));
                }
                Some("header") if rng.gen_bool(0.5) => {
                    let v = self.text(rng, &name);
                    // A header value cannot carry control characters or line breaks.
                    let v: String = v.chars().filter(|c| !c.is_control()).collect();
                    let header = match name.to_ascii_lowercase().as_str() {
                        "idempotency-key" => "idempotency-key",
                        "x-dvc-client" => "x-dvc-client",
                        _ => continue,
                    };
                    headers.push((header, v));
                }
                _ => {}
            }
        }
        if rng.gen_bool(0.1) {
            let v: String = self.text(rng, "junk").chars().take(4000).collect();
            query.push(("junk".into(), v));
        }
        let scheme = op["security"][0]
            .as_object()
            .and_then(|s| s.keys().next().cloned());
        let right = match scheme.as_deref() {
            Some("session") => Some(self.known.session.clone()),
            Some("officer") => Some(self.known.officer.clone()),
            Some("service") => Some(self.known.service.clone()),
            _ => None,
        };
        // A logout would end the session the other requests use.
        let may_use_right = !(method == "delete" && path == "/api/v1/sessions");
        let token = match rng.gen_range(0..10) {
            0 => Some("wrong-token".to_owned()),
            1 => None,
            _ if may_use_right => right,
            _ => Some("wrong-token".to_owned()),
        };
        let content = &op["requestBody"]["content"];
        let body = if let Some(schema) = content.get("application/json").map(|c| &c["schema"]) {
            match rng.gen_range(0..20) {
                0 => Body::None,
                1 => Body::Raw("application/json", b"{not json".to_vec()),
                2 => Body::Raw("text/plain", b"hello".to_vec()),
                3 => Body::Json(deep(rng.gen_range(100..300))),
                4 => Body::Json(json!("x".repeat(3 * 1024 * 1024))),
                _ => {
                    let mut value = self.value(rng, schema, 0, "body");
                    if rng.gen_bool(0.5) {
                        self.mutate(rng, &mut value, 0);
                    }
                    Body::Json(value)
                }
            }
        } else if content.get("multipart/form-data").is_some() {
            let n = rng.gen_range(0..4);
            let parts = (0..n)
                .map(|_| {
                    let name = ["giay_chung_sinh", "cccd", "unknown", "", "giay_to_khac"]
                        .choose(rng)
                        .expect("names")
                        .to_string();
                    let file_name = self.text(rng, "file_name");
                    let bytes = match rng.gen_range(0..5) {
                        0 => pdf(),
                        1 => png(),
                        2 => Vec::new(),
                        3 => (0..rng.gen_range(1..2048))
                            .map(|_| rng.r#gen::<u8>())
                            .collect(),
                        _ => b"MZ\x90\0".to_vec(),
                    };
                    (name, file_name, bytes)
                })
                .collect();
            if rng.gen_bool(0.1) {
                Body::Raw("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec())
            } else {
                Body::Multipart(parts)
            }
        } else if rng.gen_bool(0.1) {
            Body::Raw("application/json", b"{\"unexpected\": true}".to_vec())
        } else {
            Body::None
        };
        Request {
            method: method.to_owned(),
            path: concrete,
            query,
            token,
            headers,
            body,
        }
    }

    fn code_value(&self, rng: &mut StdRng, path: &str) -> String {
        if rng.gen_bool(0.5) {
            return if path.contains("public") {
                self.known.code.clone()
            } else {
                BIRTH.to_owned()
            };
        }
        self.junk_path(rng)
    }

    fn dossier_value(&self, rng: &mut StdRng) -> String {
        match rng.gen_range(0..6) {
            0 => self.known.code.clone(),
            1 => self.known.sent_id.clone(),
            2 => self.known.draft_id.clone(),
            _ => self.junk_path(rng),
        }
    }

    fn id_value(&self, rng: &mut StdRng, known: &str) -> String {
        if rng.gen_bool(0.5) {
            known.to_owned()
        } else {
            self.junk_path(rng)
        }
    }

    /// A path segment that names nothing, percent-encoded as a client would send it.
    fn junk_path(&self, rng: &mut StdRng) -> String {
        let raw = [
            "0".to_owned(),
            "-1".to_owned(),
            "99999999999999999999999".to_owned(),
            "1.001193".to_owned(),
            "000.00.25.H50-261125-9999".to_owned(),
            "..".to_owned(),
            "a".repeat(5000),
            "%00".to_owned(),
            self.text(rng, "path"),
        ]
        .choose(rng)
        .expect("junk")
        .clone();
        url::form_urlencoded::byte_serialize(raw.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    }

    /// A query value from its schema, or junk.
    fn scalar(&self, rng: &mut StdRng, schema: &Value, name: &str) -> String {
        if rng.gen_bool(0.3) {
            return self.text(rng, name);
        }
        match self.value(rng, schema, 0, name) {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    /// A string: a plausible value for the field, or a hostile one.
    fn text(&self, rng: &mut StdRng, name: &str) -> String {
        let plausible: Vec<String> = match name {
            "login" | "citizen_id" => vec![cccd("8001"), cccd("8002")],
            "password" => vec![PASSWORD.into(), "Sai12345".into()],
            "procedure_code" | "code" => vec![BIRTH.into(), "2.000884".into()],
            "phone" => vec!["0912345678".into()],
            "email" => vec!["a@b.vn".into()],
            "birth_date" => vec!["1990-05-17".into()],
            "deadline" | "at" => vec![
                "2030-01-01T00:00:00Z".into(),
                "2026-12-31T00:00:00+07:00".into(),
            ],
            "action" => vec![
                "accept".into(),
                "request_supplement".into(),
                "reject".into(),
            ],
            "status" => vec!["new".into(), "processing".into(), "open".into()],
            "cccd_last4" => vec!["8001".into(), "0000".into()],
            _ => vec!["Lò Văn Mến".into()],
        };
        match rng.gen_range(0..14) {
            0..=5 => plausible.choose(rng).expect("plausible").clone(),
            6 => String::new(),
            7 => "x".repeat(rng.gen_range(2_000..70_000)),
            8 => "\u{202E}\u{200B}\u{0}\u{7}\u{1b}[31m\r\n\u{FEFF}tên\u{2066}".into(),
            9 => "<script>alert(1)</script>&amp;</a>".into(),
            10 => "'; DROP TABLE accounts; --".into(),
            11 => "🇻🇳\u{0301}\u{E000}\u{FFFD}".into(),
            12 => "9".repeat(40),
            _ => (0..rng.gen_range(1..30))
                .map(|_| char::from_u32(rng.gen_range(0x20..0x2FFFF)).unwrap_or('?'))
                .collect(),
        }
    }

    /// A value following `schema` (choices, types, fields), its strings from `text`.
    fn value(&self, rng: &mut StdRng, schema: &Value, depth: usize, name: &str) -> Value {
        if let Some(r) = schema["$ref"].as_str() {
            return self.value(rng, resolve(self.doc, r), depth + 1, name);
        }
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema[key].as_array().filter(|o| !o.is_empty()) {
                let chosen = options.choose(rng).expect("options");
                return self.value(rng, chosen, depth + 1, name);
            }
        }
        if let Some(all) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for s in all {
                if let Value::Object(o) = self.value(rng, s, depth + 1, name) {
                    merged.extend(o);
                }
            }
            return Value::Object(merged);
        }
        if let Some(options) = schema["enum"].as_array().filter(|o| !o.is_empty()) {
            return options.choose(rng).expect("enum").clone();
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec!["string"],
        };
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        let t = if non_null.is_empty() || (types.contains(&"null") && rng.gen_bool(0.2)) {
            "null"
        } else {
            non_null.choose(rng).copied().unwrap_or("string")
        };
        match t {
            "null" => Value::Null,
            "boolean" => json!(rng.gen_bool(0.5)),
            "integer" => {
                let pool = [0, 1, 2, 5, -1, 150_000, 1_250_000, i64::MAX, i64::MIN, 3];
                json!(pool.choose(rng).expect("ints"))
            }
            "number" => json!([0.5, 1e300, -0.0, 3.0].choose(rng).expect("numbers")),
            "array" => {
                let n = rng.gen_range(0..3);
                Value::Array(
                    (0..n)
                        .map(|_| self.value(rng, &schema["items"], depth + 1, name))
                        .collect(),
                )
            }
            "object" => {
                let mut out = Map::new();
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (field, s) in schema["properties"].as_object().into_iter().flatten() {
                    if required.contains(&field.as_str()) || rng.gen_bool(0.6) {
                        out.insert(field.clone(), self.value(rng, s, depth + 1, field));
                    }
                }
                if schema["additionalProperties"].is_object() {
                    for _ in 0..rng.gen_range(0..3) {
                        let key = ["child_name", "mother_name", "x", "", "\u{202E}k"]
                            .choose(rng)
                            .expect("keys")
                            .to_string();
                        let v = self.value(rng, &schema["additionalProperties"], depth + 1, &key);
                        out.insert(key, v);
                    }
                }
                Value::Object(out)
            }
            _ => json!(self.text(rng, name)),
        }
    }

    /// Breaks a value: a wrong type, a field dropped or added, a null, a huge string.
    fn mutate(&self, rng: &mut StdRng, value: &mut Value, depth: usize) {
        match value {
            Value::Object(fields)
                if !fields.is_empty() && depth < MAX_DEPTH && rng.gen_bool(0.6) =>
            {
                let keys: Vec<String> = fields.keys().cloned().collect();
                let key = keys.choose(rng).expect("a key").clone();
                match rng.gen_range(0..4) {
                    0 => {
                        fields.remove(&key);
                    }
                    1 => {
                        fields.insert(format!("{key}_unknown"), json!("x".repeat(10_000)));
                    }
                    _ => {
                        if let Some(v) = fields.get_mut(&key) {
                            self.mutate(rng, v, depth + 1);
                        }
                    }
                }
            }
            Value::Array(items) if !items.is_empty() && rng.gen_bool(0.5) => {
                let i = rng.gen_range(0..items.len());
                self.mutate(rng, &mut items[i], depth + 1);
            }
            _ => {
                *value = match rng.gen_range(0..7) {
                    0 => Value::Null,
                    1 => json!(12345),
                    2 => json!("not the right type"),
                    3 => json!([1, "two", null]),
                    4 => json!({"nested": {"deeper": true}}),
                    5 => json!(-1e300),
                    _ => json!(true),
                };
            }
        }
    }
}

/// `[[[…]]]` nested `depth` times.
fn deep(depth: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        v = json!([v]);
    }
    v
}
