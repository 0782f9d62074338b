//! `serve`: the playground page over every scenario read.

use std::io::Write;

use super::*;

pub(super) fn serve(paths: &[PathBuf], host: &str, port: u16) -> Result<()> {
    let scenarios = read_scenarios(paths, "serve")?;
    let mut served = Vec::new();
    let mut errors: Vec<InputError> = Vec::new();
    for (_, s) in scenarios {
        match forecast(&s) {
            Ok(f) => served.push((s, f)),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors).into());
    }
    let count = served.len();
    crate::serve::run(crate::serve::Playground::new(served), host, port, |url| {
        println!("serving {count} scenario(s) at {url}  (Ctrl-C stops)");
        let _ = std::io::stdout().flush();
    })
}
