//! `scalecast serve`: a local web page to explore scenarios with sliders.
//!
//! The server ([`run`], on tiny_http) answers a few routes; [`Playground::respond`] is the whole
//! of its logic, a pure function from method and URL to a [`Reply`], so it is tested and fuzzed
//! without sockets:
//!
//! | route | answer |
//! |---|---|
//! | `/` | the page (`assets/serve/index.html`), `/app.js` and `/style.css` beside it |
//! | `/api/scenarios` | every scenario: its controls, colours and forecast as in the file |
//! | `/api/forecast?scenario=NAME&PATH=VALUE...` | the forecast with the edits ([`edit`]) |
//! | `/api/save?scenario=NAME&PATH=VALUE...` | the edited scenario as a TOML download ([`save`]) |
//!
//! Every number is computed here by the crate's own functions and sent as the exact f64 that
//! `run` writes (JSON numbers round-trip; infinities are the string `"inf"`); the page only
//! draws. A bad edit is answered with 400 and the command line's error text. Each request is
//! handled under `catch_unwind`, so a panic becomes a 500 and the server keeps serving.

pub mod controls;
pub mod edit;
pub mod query;
pub mod save;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use crate::forecast::Forecast;
use crate::report::charts::{domain_colour, hex, series_colour, SERIES_COLOURS};
use crate::report::csv::{lever_numbers, term_numbers, CAPABILITY_COLUMNS, LEVER_COLUMNS};
use crate::report::json::number;
use crate::scenario::Scenario;
use edit::FieldError;

const INDEX_HTML: &str = include_str!("../../assets/serve/index.html");
const APP_JS: &str = include_str!("../../assets/serve/app.js");
const STYLE_CSS: &str = include_str!("../../assets/serve/style.css");

/// Threads answering requests.
const WORKERS: usize = 4;

/// The longest request body accepted (the page sends none).
const MAX_BODY: usize = 64 * 1024;

/// The scenarios served, each with its forecast as the file gives it.
pub struct Playground {
    scenarios: Vec<(Scenario, Forecast)>,
}

/// An answer to one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// `Content-Disposition`, for downloads.
    pub disposition: Option<String>,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            disposition: None,
        }
    }

    fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, "application/json", value.to_string())
    }

    fn errors(errors: &[FieldError]) -> Reply {
        let list: Vec<Value> = errors
            .iter()
            .map(|e| json!({ "path": e.path, "text": e.text }))
            .collect();
        Reply::json(400, &json!({ "errors": list }))
    }

    fn error(status: u16, text: String) -> Reply {
        Reply::errors_with_status(
            status,
            &[FieldError {
                path: String::new(),
                text,
            }],
        )
    }

    fn errors_with_status(status: u16, errors: &[FieldError]) -> Reply {
        Reply {
            status,
            ..Reply::errors(errors)
        }
    }
}

impl Playground {
    /// Serve these scenarios (checked, with their forecasts), in this order.
    pub fn new(scenarios: Vec<(Scenario, Forecast)>) -> Playground {
        Playground { scenarios }
    }

    /// The answer to `method` on `url` (path and query, as sent).
    pub fn respond(&self, method: &str, url: &str) -> Reply {
        if method != "GET" && method != "HEAD" {
            return Reply::error(405, format!("error: {method} is not allowed; use GET"));
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        match path {
            "/" | "/index.html" => Reply::new(200, "text/html; charset=utf-8", INDEX_HTML),
            "/app.js" => Reply::new(200, "text/javascript; charset=utf-8", APP_JS),
            "/style.css" => Reply::new(200, "text/css; charset=utf-8", STYLE_CSS),
            "/api/scenarios" => Reply::json(200, &self.scenarios_json()),
            "/api/forecast" | "/api/save" => self.edited(path, query),
            _ => Reply::error(404, format!("error: no page at {:?}", truncate(path))),
        }
    }

    fn edited(&self, route: &str, query: &str) -> Reply {
        let q = match query::parse(query) {
            Ok(q) => q,
            Err(m) => return Reply::error(400, format!("error: bad query: {m}")),
        };
        let name = q.scenario.as_deref().unwrap_or_default();
        let Some((base, _)) = self.scenarios.iter().find(|(s, _)| s.name == name) else {
            let names: Vec<&str> = self
                .scenarios
                .iter()
                .map(|(s, _)| s.name.as_str())
                .collect();
            return Reply::error(
                400,
                format!(
                    "error: no scenario named {:?}; the scenarios are: {}",
                    truncate(name),
                    names.join(", ")
                ),
            );
        };
        let edited = match edit::apply(base, &q.edits) {
            Ok(e) => e,
            Err(errors) => return Reply::errors(&errors),
        };
        if route == "/api/forecast" {
            return Reply::json(200, &forecast_json(&edited.forecast));
        }
        match save::saved(&edited) {
            Ok((text, file)) => Reply {
                disposition: Some(format!("attachment; filename=\"{file}\"")),
                ..Reply::new(200, "application/toml; charset=utf-8", text)
            },
            Err(m) => Reply::error(500, format!("error: {m}")),
        }
    }

    fn scenarios_json(&self) -> Value {
        let scenarios: Vec<Value> = self
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, (s, f))| {
                let domains: Vec<Value> = s
                    .domains
                    .iter()
                    .enumerate()
                    .map(|(d, dom)| {
                        json!({
                            "name": dom.name,
                            "colour": hex(domain_colour(&dom.name, d)),
                            "verifiability": number(dom.verifiability),
                        })
                    })
                    .collect();
                json!({
                    "name": s.name,
                    "description": s.description,
                    "file": s.document.file,
                    "colour": hex(series_colour(i)),
                    "domains": domains,
                    "controls": controls::controls(s).iter().map(|c| c.json()).collect::<Vec<_>>(),
                    "toggles": controls::toggles(s),
                    "forecast": forecast_json(f),
                })
            })
            .collect();
        let colours: serde_json::Map<String, Value> = SERIES_COLOURS
            .iter()
            .map(|(name, c)| (name.to_string(), Value::String(hex(*c))))
            .collect();
        json!({ "colours": colours, "scenarios": scenarios })
    }
}

/// A forecast for the page: per lever and per domain term, one array over the years, keyed by
/// the column names of `levers.csv` and `capabilities.csv`.
pub fn forecast_json(f: &Forecast) -> Value {
    let mut levers = serde_json::Map::new();
    for (c, name) in LEVER_COLUMNS[1..].iter().enumerate() {
        let column: Vec<Value> = f
            .levers
            .iter()
            .map(|l| number(lever_numbers(l)[c]))
            .collect();
        levers.insert(name.to_string(), Value::Array(column));
    }
    let domains: Vec<Value> = f
        .domains
        .iter()
        .zip(&f.terms)
        .map(|(name, row)| {
            let mut d = serde_json::Map::new();
            d.insert("name".into(), json!(name));
            for (c, col) in CAPABILITY_COLUMNS[3..].iter().enumerate() {
                let column: Vec<Value> = row.iter().map(|t| number(term_numbers(t)[c])).collect();
                d.insert(col.to_string(), Value::Array(column));
            }
            Value::Object(d)
        })
        .collect();
    json!({ "scenario": f.scenario, "levers": levers, "domains": domains })
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

/// Listen on `host:port` (port 0: a free one), call `ready` with the page's URL, and answer
/// requests until the process is stopped.
pub fn run(playground: Playground, host: &str, port: u16, ready: impl FnOnce(&str)) -> Result<()> {
    let listener = std::net::TcpListener::bind((host, port))
        .map_err(|e| anyhow!("cannot listen on {host} port {port}: {e}"))?;
    no_delay(&listener);
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| anyhow!("cannot listen on {host} port {port}: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| anyhow!("the server has no IP address"))?;
    ready(&format!("http://{addr}/"));
    let server = Arc::new(server);
    let playground = Arc::new(playground);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, playground) = (Arc::clone(&server), Arc::clone(&playground));
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    answer(&playground, request);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Err(anyhow!("the server stopped listening"))
}

/// Ask for `TCP_NODELAY` on the listening socket, which the connections it accepts inherit:
/// tiny_http writes an answer's head and body separately, and with Nagle's algorithm the body
/// would wait for the browser's delayed acknowledgement of the head (about 40 ms).
fn no_delay(listener: &std::net::TcpListener) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket descriptor and a pointer to a c_int of the size given.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

/// Answer one request; a panic in the handler becomes a 500. Errors writing the answer (the
/// client went away) are ignored.
fn answer(playground: &Playground, request: tiny_http::Request) {
    let method = request.method().as_str().to_string();
    let reply = if request.body_length().unwrap_or(0) > MAX_BODY {
        Reply::error(
            413,
            format!("error: request bodies are limited to {MAX_BODY} bytes"),
        )
    } else if request.url().len() > query::MAX_QUERY + 1024 {
        Reply::error(414, "error: the URL is too long".into())
    } else {
        let url = request.url().to_string();
        catch_unwind(AssertUnwindSafe(|| playground.respond(&method, &url))).unwrap_or_else(|_| {
            Reply::error(
                500,
                "error: internal error (a bug): the request failed".into(),
            )
        })
    };
    let mut response = tiny_http::Response::from_data(if method == "HEAD" {
        Vec::new()
    } else {
        reply.body
    })
    .with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.content_type.to_string()),
        ("Cache-Control", "no-store".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
    ];
    if let Some(d) = reply.disposition {
        headers.push(("Content-Disposition", d));
    }
    if reply.status == 405 {
        headers.push(("Allow", "GET, HEAD".to_string()));
    }
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    fn playground() -> Playground {
        let s = Scenario::from_text(
            "scenarios/reasoners.toml",
            "reasoners",
            include_str!("../../scenarios/reasoners.toml"),
        )
        .unwrap();
        let f = forecast(&s).unwrap();
        Playground::new(vec![(s, f)])
    }

    fn body(r: &Reply) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn routes() {
        let p = playground();
        assert_eq!(p.respond("GET", "/").status, 200);
        assert_eq!(p.respond("GET", "/app.js").status, 200);
        assert_eq!(p.respond("GET", "/style.css").status, 200);
        assert_eq!(p.respond("GET", "/nope").status, 404);
        assert_eq!(p.respond("POST", "/").status, 405);
        let all = body(&p.respond("GET", "/api/scenarios"));
        assert_eq!(all["scenarios"][0]["name"], "reasoners");
        assert_eq!(all["colours"]["pretrain"], "#1f77b4");
        assert_eq!(all["scenarios"][0]["domains"][0]["colour"], "#1f77b4");
        let r = p.respond("GET", "/api/forecast?scenario=nope");
        assert_eq!(r.status, 400);
        assert!(body(&r)["errors"][0]["text"]
            .as_str()
            .unwrap()
            .contains("the scenarios are: reasoners"));
    }

    #[test]
    fn forecast_numbers_are_the_csv_numbers() {
        let p = playground();
        let r = p.respond("GET", "/api/forecast?scenario=reasoners&rl.transfer=0.2");
        assert_eq!(r.status, 200);
        let j = body(&r);
        let e = edit::apply(&p.scenarios[0].0, &[("rl.transfer".into(), "0.2".into())]).unwrap();
        let f = &e.forecast;
        for (d, dom) in j["domains"].as_array().unwrap().iter().enumerate() {
            for (k, t) in f.terms[d].iter().enumerate() {
                assert_eq!(dom["capability"][k].as_f64().unwrap(), t.capability);
                assert_eq!(dom["logit"][k].as_f64().unwrap(), t.logit);
            }
            // The multiplier is infinite in reasoners.
            assert_eq!(dom["thinking_multiplier_per_oom"][0], "inf");
        }
        assert_eq!(j["levers"]["year"][0], 2024.0);
        assert_eq!(j["levers"]["params"][0], 1.8e12);
    }

    #[test]
    fn save_is_a_download() {
        let p = playground();
        let r = p.respond("GET", "/api/save?scenario=reasoners&erosion.rate=0.1");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.disposition.as_deref(),
            Some("attachment; filename=\"reasoners-edited.toml\"")
        );
        assert!(String::from_utf8(r.body).unwrap().contains("rate = 0.1\n"));
        let r = p.respond("GET", "/api/save?scenario=reasoners&erosion.rate=-1");
        assert_eq!(r.status, 400);
    }
}
