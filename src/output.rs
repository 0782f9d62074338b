//! Writing results: every folder is built under a temporary sibling name and renamed into place,
//! so an interrupted or failed run leaves the previous complete folder or none.
//!
//! Work in progress is registered while it exists; [`clean_up_on_signal`] installs a SIGINT /
//! SIGTERM handler that removes it (and puts back a folder that was moved aside) before exiting.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use anyhow::{Context, Result};

/// A temporary file or folder that becomes `target` once complete; `aside` is where the previous
/// `target` waits while it is replaced.
#[derive(Debug, Clone)]
struct Staged {
    temp: PathBuf,
    aside: PathBuf,
    target: PathBuf,
}

static STAGED: Mutex<Vec<Staged>> = Mutex::new(Vec::new());

/// Held shared around every change to a folder's entries (create, write, link, rename) and taken
/// exclusively by the signal handler before it rolls back: no thread can then create a file in a
/// staged folder after the handler removed it.
static ENTRIES: RwLock<()> = RwLock::new(());

/// Run `op`, a change to folder entries, unless an interrupt is being handled (then wait for
/// the exit).
fn entry<T>(op: impl FnOnce() -> T) -> T {
    let _shared = ENTRIES.read().unwrap_or_else(|e| e.into_inner());
    op()
}

/// Registers a staged output for the lifetime of the guard.
struct StageGuard(Staged);

impl StageGuard {
    fn new(temp: PathBuf, aside: PathBuf, target: PathBuf) -> StageGuard {
        let s = Staged {
            temp,
            aside,
            target,
        };
        STAGED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(s.clone());
        StageGuard(s)
    }
}

impl Drop for StageGuard {
    fn drop(&mut self) {
        STAGED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|s| s.temp != self.0.temp);
    }
}

fn remove_any(p: &Path) {
    let _ = fs::remove_dir_all(p).or_else(|_| fs::remove_file(p));
}

/// Undo staged work: remove temporaries, put back anything moved aside.
fn roll_back(s: &Staged) {
    remove_any(&s.temp);
    if s.aside.exists() {
        if s.target.exists() {
            remove_any(&s.aside);
        } else {
            let _ = fs::rename(&s.aside, &s.target);
        }
    }
}

/// On SIGINT or SIGTERM, roll back every staged output and exit with status 130.
pub fn clean_up_on_signal() {
    let _ = ctrlc::set_handler(|| {
        // Held until the exit: other threads stop before their next change to the file system.
        let _exclusive = ENTRIES.write().unwrap_or_else(|e| e.into_inner());
        let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for s in &staged {
            roll_back(s);
        }
        eprintln!("interrupted: no partial output was left");
        std::process::exit(130);
    });
}

/// Write `target` through `fill`, which creates it at the temporary path it is given; the old
/// `target` (file or folder) is replaced only once `fill` succeeded.
pub fn replace_with(target: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let created = create_dirs(dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    let guard = StageGuard::new(
        dir.join(format!(".{name}.tmp-{pid}")),
        dir.join(format!(".{name}.old-{pid}")),
        target.to_path_buf(),
    );
    let Staged { temp, aside, .. } = &guard.0;
    remove_any(temp);
    let result = fill(temp).and_then(|()| {
        if target.exists() {
            entry(|| fs::rename(target, aside))
                .with_context(|| format!("cannot move aside {}", target.display()))?;
        }
        entry(|| fs::rename(temp, target))
            .with_context(|| format!("cannot move {} into place", target.display()))?;
        remove_any(aside);
        Ok(())
    });
    if result.is_err() {
        roll_back(&guard.0);
        remove_created(&created);
    }
    result
}

/// Create `dir` and its missing parents; returns the folders created, deepest first.
fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut created: Vec<PathBuf> = dir
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| !a.exists())
        .map(Path::to_path_buf)
        .collect();
    entry(|| fs::create_dir_all(dir))
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    created.retain(|d| d.is_dir());
    Ok(created)
}

/// Remove folders made by [`create_dirs`] for a write that failed, if still empty.
fn remove_created(created: &[PathBuf]) {
    for d in created {
        let _ = fs::remove_dir(d);
    }
}

/// Build the folder `dir/name` by `fill`ing an empty temporary folder, then put it in place like
/// [`Folder::write`]. Outputs too large to hold in memory are streamed into it by `fill`.
pub fn write_folder(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let target = dir.join(name);
    replace_with(&target, |tmp| {
        entry(|| fs::create_dir_all(tmp))
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        fill(tmp)
    })?;
    Ok(target)
}

/// Like [`write_file`], with the content streamed by `fill` through a buffer.
pub fn write_file_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    replace_with(path, |tmp| {
        let file = entry(|| fs::File::create(tmp))
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut w = BufWriter::new(file);
        fill(&mut w)?;
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))
    })
}

/// The files of one output folder, by relative path, in the order they are written.
#[derive(Debug, Default)]
pub struct Folder {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Folder {
    pub fn add(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.push((name.into(), bytes.into()));
    }

    /// Write the folder as `dir/name`, replacing any previous one only once all files are written.
    pub fn write(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let target = dir.join(name);
        replace_with(&target, |tmp| self.write_into(tmp))?;
        Ok(target)
    }

    /// Like [`Folder::write`], but subfolders of the previous `dir/name` that this folder does not
    /// write (another command's results, such as `mc/` or `sweep/`) are carried over, by hard
    /// links where the file system allows, so the old folder stays whole until the swap.
    pub fn write_keeping_subfolders(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let target = dir.join(name);
        replace_with(&target, |tmp| {
            self.write_into(tmp)?;
            let Ok(entries) = fs::read_dir(&target) else {
                return Ok(());
            };
            for e in entries.flatten() {
                let to = tmp.join(e.file_name());
                if e.path().is_dir() && !to.exists() {
                    link_tree(&e.path(), &to)?;
                }
            }
            Ok(())
        })?;
        Ok(target)
    }

    /// Write the files into the folder `tmp` (created if missing).
    pub fn write_into(&self, tmp: &Path) -> Result<()> {
        entry(|| fs::create_dir_all(tmp))
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        for (rel, bytes) in &self.files {
            let path = tmp.join(rel);
            if let Some(parent) = path.parent() {
                entry(|| fs::create_dir_all(parent))
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            entry(|| fs::write(&path, bytes))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

/// Recreate the tree `from` at `to`, hard-linking files (copying where links are not possible).
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    entry(|| fs::create_dir_all(to)).with_context(|| format!("cannot create {}", to.display()))?;
    for e in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            link_tree(&src, &dst)?;
        } else if entry(|| fs::hard_link(&src, &dst)).is_err() {
            entry(|| fs::copy(&src, &dst))
                .with_context(|| format!("cannot copy {}", src.display()))?;
        }
    }
    Ok(())
}

/// Write one file atomically: to a temporary sibling, then renamed over `path`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_with(path, |tmp| {
        entry(|| fs::write(tmp, bytes)).with_context(|| format!("cannot write {}", path.display()))
    })
}

/// Refuse an output folder that cannot or must not hold results: one under a regular file, the
/// root of a project (it holds `Cargo.toml` or `.git`), or a folder holding the input files.
pub fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> Result<(), crate::error::InputErrors> {
    let shown = out.display().to_string();
    let refuse = |msg: String, hint: &str| Err(crate::error::usage(&shown, "", msg, Some(hint)));
    for a in out.ancestors().filter(|a| !a.as_os_str().is_empty()) {
        if a.is_file() {
            return refuse(
                format!(
                    "{} is a file, so it cannot hold an output folder",
                    a.display()
                ),
                "pass --out a folder path",
            );
        }
    }
    if out.exists() && !out.is_dir() {
        return refuse(
            "exists and is not a folder".into(),
            "pass --out a folder path (it is created if missing)",
        );
    }
    if out.join("Cargo.toml").exists() || out.join(".git").exists() {
        return refuse(
            "this looks like a project's root folder; outputs would mix with its files".into(),
            "use a dedicated folder, e.g. --out output",
        );
    }
    if let Ok(o) = out.canonicalize() {
        for i in inputs {
            let parent = i
                .canonicalize()
                .ok()
                .and_then(|c| c.parent().map(Path::to_path_buf));
            if parent.as_deref() == Some(o.as_path()) {
                return refuse(
                    format!("this folder holds the input {}", i.display()),
                    "write outputs to their own folder, e.g. --out output",
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_replaces_previous_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Folder::default();
        f.add("a.txt", "one");
        f.add("sub/b.txt", "two");
        f.write(dir.path(), "s").unwrap();
        let mut g = Folder::default();
        g.add("a.txt", "three");
        g.write(dir.path(), "s").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("s/a.txt")).unwrap(),
            "three"
        );
        assert!(
            !dir.path().join("s/sub").exists(),
            "the old folder is replaced whole"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s")]);
    }

    #[test]
    fn out_dir_checks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        fs::write(&file, "x").unwrap();
        assert!(check_out_dir(&dir.path().join("out"), std::slice::from_ref(&file)).is_ok());
        assert!(
            check_out_dir(dir.path(), std::slice::from_ref(&file)).is_err(),
            "folder of the inputs"
        );
        assert!(
            check_out_dir(&file.join("out"), &[]).is_err(),
            "under a regular file"
        );
        fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert!(check_out_dir(dir.path(), &[]).is_err(), "project root");
    }

    #[test]
    fn single_files_are_replaced_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("index.html");
        write_file(&p, b"one").unwrap();
        write_file(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_file(&dir.path().join("index.html/x"), b"no").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"two");
    }

    #[test]
    fn other_commands_subfolders_survive_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Folder::default();
        f.add("a.txt", "one");
        f.write(dir.path(), "s").unwrap();
        let mut mc = Folder::default();
        mc.add("q.csv", "quantiles");
        mc.write(&dir.path().join("s"), "mc").unwrap();
        let mut g = Folder::default();
        g.add("a.txt", "two");
        g.write_keeping_subfolders(dir.path(), "s").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("s/a.txt")).unwrap(),
            "two"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("s/mc/q.csv")).unwrap(),
            "quantiles"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_keeps_previous_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Folder::default();
        f.add("a.txt", "one");
        f.write(dir.path(), "s").unwrap();
        let mut bad = Folder::default();
        bad.add("a.txt", "two");
        bad.add("a.txt/child", "cannot be both a file and a folder");
        assert!(bad.write(dir.path(), "s").is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("s/a.txt")).unwrap(),
            "one"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
