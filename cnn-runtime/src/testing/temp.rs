//! Temporary folders for tests: created fresh, removed when dropped, even after a test made
//! them read-only. Only `std` and `tempfile`, so that the integration tests of the `cnn`
//! package include this file too (`tests/common/mod.rs`).

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty folder under the system's temporary folder, removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new() -> TempDir {
        TempDir(
            tempfile::Builder::new()
                .prefix("cnn-test-")
                .tempdir()
                .unwrap(),
        )
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// `name` inside the folder.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(name)
    }

    /// The names of the folder's entries, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    /// Makes the folder writable again, so that `tempfile` can remove what is in it.
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(self.path(), fs::Permissions::from_mode(0o755));
        }
    }
}
