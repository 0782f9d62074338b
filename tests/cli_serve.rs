//! `scalecast serve` as a live server: the routes, edits with the command line's numbers and
//! error texts, saved scenarios that `check` accepts and `run` reproduces, malformed requests
//! (huge, binary, bad paths, bad methods) that leave it serving, and Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{arg, scalecast};
use scalecast::report::csv::CAPABILITY_COLUMNS;

/// A running `scalecast serve`, stopped when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("scalecast"))
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server { child, addr }
    }

    /// Send raw bytes, return what came back (possibly nothing).
    fn raw(&self, bytes: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(bytes);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    }

    /// GET `target`: (status, headers, body). HTTP/1.0, so the body is not chunked.
    fn get(&self, target: &str) -> (u16, String, Vec<u8>) {
        let req = format!("GET {target} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr);
        let out = self.raw(req.as_bytes());
        let split = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no answer to {target}: {out:?}"));
        let head = String::from_utf8_lossy(&out[..split]).into_owned();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head, out[split + 4..].to_vec())
    }

    fn assert_serving(&self) {
        let (status, _, body) = self.get("/api/scenarios");
        assert_eq!(status, 200);
        assert!(body.starts_with(b"{\"colours\""));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

#[test]
fn binds_to_loopback_and_serves_the_page_and_its_assets() {
    let server = Server::start(&["scenarios"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let (status, head, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("<script src=\"/app.js\"></script>"));
    for asset in ["/app.js", "/style.css"] {
        let (status, _, body) = server.get(asset);
        assert_eq!(status, 200, "{asset}");
        // Nothing is fetched from elsewhere: the only URL is the SVG namespace.
        let text = String::from_utf8(body).unwrap();
        let urls: Vec<&str> = text
            .match_indices("http")
            .map(|(i, _)| &text[i..(i + 30).min(text.len())])
            .collect();
        assert!(
            urls.iter()
                .all(|u| u.starts_with("http://www.w3.org/2000/svg")),
            "{urls:?}"
        );
    }
    let all = json(&server.get("/api/scenarios").2);
    let names: Vec<&str> = all["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "balanced",
            "big-model-winter",
            "inference-unlock",
            "reasoners",
            "scale",
            "transfer-optimist"
        ]
    );
}

#[test]
fn edits_give_the_numbers_and_error_texts_of_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["scenarios/reasoners.toml"]);
    let (status, _, body) =
        server.get("/api/forecast?scenario=reasoners&rl.transfer=0.3&erosion.rate=0.2");
    assert_eq!(status, 200);
    let page = json(&body);
    scalecast()
        .args([
            "sweep",
            "scenarios/reasoners.toml",
            "--vary",
            "rl.transfer=list:0.3",
        ])
        .args(["--vary", "erosion.rate=list:0.2", "--out", arg(dir.path())])
        .assert()
        .success();
    let sweep = std::fs::read_to_string(dir.path().join("reasoners/sweep/sweep.csv")).unwrap();
    let domains = page["domains"].as_array().unwrap();
    for (i, line) in sweep.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let (k, d) = (i / domains.len(), i % domains.len());
        assert_eq!(domains[d]["name"], cells[4]);
        for (c, column) in CAPABILITY_COLUMNS[3..9].iter().enumerate() {
            let got = domains[d][column][k].as_f64().unwrap();
            assert_eq!(got, cells[5 + c].parse::<f64>().unwrap(), "{line} {column}");
        }
    }
    for (path, value) in [
        ("domain.math.verifiability", "2"),
        ("rl.transfer", "abc"),
        ("rl.transfer", "nan"),
        ("rl.nope", "1"),
        ("time.start", "2020"),
        ("pretraining.params", "1e300"),
        ("rl.steps.until", "2000"),
    ] {
        let (status, _, body) =
            server.get(&format!("/api/forecast?scenario=reasoners&{path}={value}"));
        assert_eq!(status, 400, "{path}={value}");
        let errors = json(&body);
        let cli = scalecast()
            .args(["sweep", "scenarios/reasoners.toml", "--vary"])
            .arg(format!("{path}=list:{value}"))
            .args(["--out", arg(dir.path())])
            .output()
            .unwrap();
        assert_eq!(cli.status.code(), Some(2));
        let stderr = String::from_utf8(cli.stderr).unwrap();
        assert_eq!(
            errors["errors"][0]["text"],
            stderr.trim_end(),
            "{path}={value}"
        );
        assert_eq!(errors["errors"][0]["path"], path);
        assert_eq!(errors["errors"][0]["edit"], path, "{path}={value}");
    }
}

#[test]
fn a_saved_scenario_passes_check_and_runs_to_the_sweep_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["scenarios"]);
    let edits = [
        ("rl.transfer", "0.3"),
        ("inference.ceiling.base", "inf"),
        ("pretraining.law.alpha", "0.35"),
        ("domain.writing.slope", "0.9"),
        ("cost.usd_per_eflop.growth", "0.5"),
    ];
    let query: Vec<String> = edits.iter().map(|(p, v)| format!("{p}={v}")).collect();
    let (status, head, body) =
        server.get(&format!("/api/save?scenario=reasoners&{}", query.join("&")));
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("content-disposition: attachment; filename=\"reasoners-edited.toml\""));
    let saved = common::write(
        dir.path(),
        "reasoners-edited.toml",
        &String::from_utf8(body).unwrap(),
    );
    scalecast().args(["check", arg(&saved)]).assert().success();
    let out = dir.path().join("out");
    scalecast()
        .args(["run", arg(&saved), "--out", arg(&out)])
        .assert()
        .success();
    let mut sweep = scalecast();
    sweep.args(["sweep", "scenarios/reasoners.toml"]);
    for (p, v) in edits {
        sweep.arg("--vary").arg(format!("{p}=list:{v}"));
    }
    sweep.args(["--out", arg(&out)]).assert().success();
    let run = std::fs::read_to_string(out.join("reasoners/capabilities.csv")).unwrap();
    let swept = std::fs::read_to_string(out.join("reasoners/sweep/sweep.csv")).unwrap();
    let stripped: String = swept
        .lines()
        .map(|l| l.splitn(edits.len() + 1, ',').last().unwrap().to_string() + "\n")
        .collect();
    assert_eq!(run, stripped);
}

#[test]
fn malformed_requests_leave_it_serving() {
    let server = Server::start(&["scenarios/reasoners.toml"]);
    let huge_path = format!(
        "GET /{} HTTP/1.1\r\nConnection: close\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let huge_query = format!(
        "GET /api/forecast?scenario=reasoners&{} HTTP/1.1\r\nConnection: close\r\n\r\n",
        "rl.transfer=0.1&".repeat(20_000)
    );
    let huge_header = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "b".repeat(1 << 20));
    let huge_body = format!(
        "POST /api/forecast HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n{}",
        "c".repeat(1 << 20)
    );
    let mut requests: Vec<Vec<u8>> = vec![
        huge_path.into_bytes(),
        huge_query.into_bytes(),
        huge_header.into_bytes(),
        huge_body.into_bytes(),
        b"\x00\xff\xfe binary \x01\x02\r\n\r\n".to_vec(),
        b"GET /\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(),
        "GET / HTTP/1.1\r\nX: caf\u{e9}\r\n\r\n".as_bytes().to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"POST / HTTP/1.1\r\nContent-Length: 1000000000000000\r\n\r\nabc".to_vec(),
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
    ];
    for target in [
        "/../../etc/passwd",
        "/%00",
        "//",
        "/api/forecast?%",
        "/api/forecast?scenario=%ff",
        "/api/forecast?scenario=reasoners&rl.transfer=%E2%82",
        "/api/forecast?scenario=reasoners&a%3Db=1",
        "/api/save?scenario=reasoners&rl.transfer=1e999",
        "/api/forecast?scenario=reasoners&domain.math=1",
        "/api/forecast?scenario=reasoners&rl.steps.points[0][0]=1",
        "/api/forecast?scenario=reasoners&rl.transfer=0.1,0.2",
    ] {
        requests.push(format!("GET {target} HTTP/1.1\r\nConnection: close\r\n\r\n").into_bytes());
    }
    for method in ["POST", "DELETE", "PUT", "BREW", "OPTIONS", "CONNECT"] {
        requests.push(format!("{method} / HTTP/1.1\r\nConnection: close\r\n\r\n").into_bytes());
    }
    // Random bytes from a fixed generator, with and without a request line in front.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..40 {
        let bytes: Vec<u8> = (0..200 + i * 50)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let mut req = if i % 2 == 0 {
            b"GET /api/forecast?scenario=reasoners&".to_vec()
        } else {
            Vec::new()
        };
        req.extend(bytes);
        req.extend(b" HTTP/1.1\r\nConnection: close\r\n\r\n");
        requests.push(req);
    }
    for req in &requests {
        let answer = server.raw(req);
        // Whatever came back is an HTTP answer, and never a 500.
        if !answer.is_empty() {
            assert!(
                answer.starts_with(b"HTTP/1."),
                "{:?}",
                &answer[..answer.len().min(40)]
            );
            assert!(!answer.starts_with(b"HTTP/1.1 500"));
        }
        server.assert_serving();
    }
    for method in ["POST", "DELETE"] {
        let answer = server.raw(
            format!(
                "{method} / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.addr
            )
            .as_bytes(),
        );
        assert!(answer.starts_with(b"HTTP/1.1 405"), "{method}");
    }
    let (status, _, _) = server.get("/../../etc/passwd");
    assert_eq!(status, 404);
    // No icon, and no error for a browser that asks for one.
    let (status, _, body) = server.get("/favicon.ico");
    assert_eq!((status, body.len()), (204, 0));
    // A query over the limit but within hyper's longest URI gets the reason, as JSON.
    let long = format!(
        "/api/forecast?scenario=reasoners&{}",
        "rl.transfer=0.1&".repeat(3900)
    );
    assert!(long.len() > 61_440 && long.len() < 65_534);
    let (status, _, body) = server.get(&long);
    assert_eq!(status, 400);
    let text = json(&body)["errors"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("the limit is 61440"), "{text}");
    // Connections left half-open do not block the others.
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost:").unwrap();
            s
        })
        .collect();
    server.assert_serving();
    drop(idle);
    server.assert_serving();
}

#[test]
fn bad_arguments_are_input_errors_and_ctrl_c_stops_it() {
    scalecast()
        .args(["serve", "no-such-folder"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let bad = common::write(dir.path(), "bad.toml", "[pretraining]\nparams = -1\n");
    scalecast().args(["serve", arg(&bad)]).assert().code(2);
    let mut server = Server::start(&["scenarios/reasoners.toml", "--host", "127.0.0.1"]);
    server.assert_serving();
    // SAFETY: sending SIGINT to the child process this test started.
    unsafe {
        libc::kill(server.child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

#[test]
fn requests_to_other_host_names_are_refused() {
    // A page of another site that rebinds its name to 127.0.0.1 must not read the scenarios.
    let server = Server::start(&["scenarios/reasoners.toml"]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
    ] {
        let out =
            server.raw(format!("GET /api/scenarios HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes());
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.0 403"), "{host}: {text}");
        assert!(
            text.contains("answers only requests to localhost:"),
            "{text}"
        );
    }
    let out = server.raw(b"GET /api/scenarios HTTP/1.0\r\n\r\n");
    assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.0 403"));
    for host in [format!("localhost:{port}"), server.addr.clone()] {
        let out =
            server.raw(format!("GET /api/scenarios HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes());
        assert!(
            String::from_utf8_lossy(&out).starts_with("HTTP/1.0 200"),
            "{host}"
        );
    }
    server.assert_serving();
}
