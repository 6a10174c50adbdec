//! Where a review left off, kept per person and database, so that `r` resumes it after the
//! UI was closed: a small JSON file in the person's own state folder
//! (`~/.local/state/duban/` on Linux, owner-only), named by a hash of the database's path.
//! The judgements themselves are in the database; this is only the place in the walk and
//! which tasks were judged (a status kept as it is writes nothing to the database).

use crate::ui::app::Review;
use std::io;
use std::path::{Path, PathBuf};

/// The file for database `db`, when the platform has a state (or data) folder.
pub fn path(db: &Path) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "duban")?;
    let base = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    Some(base.join(format!(
        "review-{:016x}.json",
        fnv1a(db.as_os_str().as_encoded_bytes())
    )))
}

/// A stable hash of the path (the standard library's may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The review last left on `db`, if one was kept and reads back.
pub fn load(db: &Path) -> Option<Review> {
    let bytes = std::fs::read(path(db)?).ok()?;
    // Kept by this program for this person; anything else there is ignored, not trusted.
    if bytes.len() > 16 * 1024 * 1024 {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `review` for `db` (owner-only, replaced atomically).
pub fn save(db: &Path, review: &Review) -> io::Result<()> {
    let Some(file) = path(db) else {
        return Ok(());
    };
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let json = serde_json::to_vec(review).map_err(io::Error::other)?;
    crate::atomic::write(&file, &json)
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn the_hash_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
