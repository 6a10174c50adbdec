//! Where duban keeps things by default: the platform data and config directories.

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "duban")
}

/// The default database folder (e.g. `~/.local/share/duban/duban.db` on Linux).
pub fn default_db() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().join("duban.db"))
        .unwrap_or_else(|| PathBuf::from("duban.db"))
}

/// The user's config folder (keymap overrides live here).
pub fn config_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().to_path_buf())
}
