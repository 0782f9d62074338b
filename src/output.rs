//! Writing results: every folder is built under a temporary sibling name and renamed into place,
//! so an interrupted or failed run leaves the previous complete folder or none.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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
        write_folder(dir, name, |tmp| self.write_into(tmp))
    }

    /// Write the files into the existing folder `tmp`.
    pub fn write_into(&self, tmp: &Path) -> Result<()> {
        for (rel, bytes) in &self.files {
            let path = tmp.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

/// Build the folder `dir/name` by `fill`ing a temporary sibling folder (created empty), then
/// rename it into place, replacing any previous one. Large outputs are streamed into the
/// temporary folder by `fill`; on failure the temporary folder is removed and the previous one kept.
pub fn write_folder(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let created = create_dirs(dir)?;
    let target = dir.join(name);
    let pid = std::process::id();
    let tmp = dir.join(format!(".{name}.tmp-{pid}"));
    let old = dir.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    let result = fs::create_dir_all(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))
        .and_then(|()| fill(&tmp))
        .and_then(|()| {
            if target.exists() {
                fs::rename(&target, &old)
                    .with_context(|| format!("cannot move aside {}", target.display()))?;
            }
            fs::rename(&tmp, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
            let _ = fs::remove_dir_all(&old);
            Ok(())
        });
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        if old.exists() && !target.exists() {
            let _ = fs::rename(&old, &target);
        }
        remove_created(&created);
    }
    result.map(|()| target)
}

/// Write one file atomically: to a temporary sibling, then renamed over `path`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_with(path, |w| Ok(w.write_all(bytes)?))
}

/// Like [`write_file`], with the content streamed by `fill` (buffered).
pub fn write_file_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let created = create_dirs(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = fs::File::create(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|file| {
            let mut w = BufWriter::new(file);
            fill(&mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", tmp.display()))
        })
        .and_then(|()| {
            fs::rename(&tmp, path)
                .with_context(|| format!("cannot move {} into place", path.display()))
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
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
    fs::create_dir_all(dir)
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
