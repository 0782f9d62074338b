//! `scalecast serve`: a local web page to explore scenarios with sliders.
//!
//! The server ([`run`], on hyper's HTTP/1 server: request heads limited to 128 KiB and 30
//! seconds, bodies never read) answers a few routes; [`Playground::respond`] is the whole of its
//! logic, a pure function from method and URL to a [`Reply`], so it is tested and fuzzed without
//! sockets:
//!
//! | route | answer |
//! |---|---|
//! | `/` | the page (`assets/serve/index.html`), `/app.js` and `/style.css` beside it |
//! | `/favicon.ico` | 204: the page has no icon |
//! | `/api/scenarios` | every scenario: its controls, colours and forecast as in the file |
//! | `/api/forecast?scenario=NAME&PATH=VALUE...` | the forecast with the edits ([`edit`]) |
//! | `/api/save?scenario=NAME&PATH=VALUE...` | the edited scenario as a TOML download ([`save`]) |
//!
//! Every number is computed here by the crate's own functions and sent as the exact f64 that
//! `run` writes (JSON numbers round-trip; infinities are the string `"inf"`); the page only
//! draws. A bad edit is answered with 400 and the command line's error text, per error with
//! the key it is about and the edit it comes from (see [`edit::FieldError`]). Each request is
//! handled under `catch_unwind`, so a panic becomes a 500 and the server keeps serving.

pub mod controls;
pub mod edit;
pub mod query;
pub mod save;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use std::convert::Infallible;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::{TokioIo, TokioTimer};
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
const WORKERS: usize = 2;

/// The longest request head (request line and headers) read; longer ones get a 431.
const MAX_HEAD: usize = 128 * 1024;

/// How long a client may take to send a request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest request body accepted (the page sends none, and none is read).
const MAX_BODY: u64 = 64 * 1024;

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
            .map(|e| json!({ "path": e.path, "edit": e.edit, "text": e.text }))
            .collect();
        Reply::json(400, &json!({ "errors": list }))
    }

    fn error(status: u16, text: String) -> Reply {
        Reply::errors_with_status(
            status,
            &[FieldError {
                path: String::new(),
                edit: None,
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
            // The page has no icon (its head says so); a browser that asks anyway gets none
            // rather than an error in its console.
            "/favicon.ico" => Reply::new(204, "image/x-icon", ""),
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
/// requests until the process is stopped (Ctrl-C).
pub fn run(playground: Playground, host: &str, port: u16, ready: impl FnOnce(&str)) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the server's threads")?;
    let playground = Arc::new(playground);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((host, port))
            .await
            .map_err(|e| anyhow!("cannot listen on {host} port {port}: {e}"))?;
        let address = listener.local_addr()?;
        ready(&format!("http://{address}/"));
        let hosts = Arc::new(allowed_hosts(address));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of file descriptors, say: wait for connections to close.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            // Answers are small: send them at once rather than wait for acknowledgements.
            let _ = stream.set_nodelay(true);
            let playground = Arc::clone(&playground);
            let hosts = Arc::clone(&hosts);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let reply = answer(&playground, &hosts, &request);
                    async move { Ok::<_, Infallible>(reply) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEAD_TIMEOUT)
                    .max_buf_size(MAX_HEAD)
                    .half_close(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The `Host` headers a server bound to loopback answers: its own address by IP or as
/// `localhost`. Anything else (a page of another site that rebinds its name to 127.0.0.1) must
/// not read the scenarios; a server bound elsewhere with `--host` answers every name.
fn allowed_hosts(address: std::net::SocketAddr) -> Option<Vec<String>> {
    let port = address.port();
    address.ip().is_loopback().then(|| {
        vec![
            address.to_string(),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ]
    })
}

/// Answer one request; a request to another host name gets a 403, a panic in the handler a 500.
/// The body is never read.
fn answer<B>(
    playground: &Playground,
    hosts: &Option<Vec<String>>,
    request: &hyper::Request<B>,
) -> hyper::Response<Full<Bytes>> {
    let length = request
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let method = request.method().as_str();
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok());
    let foreign = hosts.as_ref().is_some_and(|allowed| {
        !host.is_some_and(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h)))
    });
    let reply = if foreign {
        Reply::error(
            403,
            format!(
                "error: this server answers only requests to {}, found Host `{}`",
                hosts.as_ref().map_or("", |a| a[1].as_str()),
                host.unwrap_or("")
            ),
        )
    } else if length.is_some_and(|n| n > MAX_BODY) {
        Reply::error(
            413,
            format!("error: request bodies are limited to {MAX_BODY} bytes"),
        )
    } else {
        let url = request.uri().path_and_query().map_or("/", |p| p.as_str());
        catch_unwind(AssertUnwindSafe(|| playground.respond(method, url))).unwrap_or_else(|_| {
            Reply::error(
                500,
                "error: internal error (a bug): the request failed".into(),
            )
        })
    };
    let mut response = hyper::Response::builder()
        .status(reply.status)
        .header(hyper::header::CONTENT_TYPE, reply.content_type)
        .header(hyper::header::CACHE_CONTROL, "no-store")
        .header("X-Content-Type-Options", "nosniff");
    if let Some(d) = &reply.disposition {
        response = response.header(hyper::header::CONTENT_DISPOSITION, d);
    }
    if reply.status == 405 {
        response = response.header(hyper::header::ALLOW, "GET, HEAD");
    }
    response
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| {
            let mut r = hyper::Response::new(Full::new(Bytes::from_static(b"error: bad header")));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast;

    fn playground() -> Playground {
        let s =
            Scenario::from_file(std::path::Path::new("tests/fixtures/playground.toml")).unwrap();
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
        assert_eq!(p.respond("GET", "/favicon.ico").status, 204);
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
        assert_eq!(body(&r)["errors"][0]["edit"], Value::Null);
        // Each error names the key it is about and the edit it comes from.
        let r = p.respond(
            "GET",
            "/api/forecast?scenario=reasoners&domain.math.slope=1.2&domain.math.slpoe=2",
        );
        assert_eq!(r.status, 400);
        let errors = body(&r)["errors"].clone();
        assert_eq!(errors.as_array().unwrap().len(), 1);
        assert_eq!(errors[0]["path"], "domain.math.slpoe");
        assert_eq!(errors[0]["edit"], "domain.math.slpoe");
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
