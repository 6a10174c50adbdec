//! Who is making an edit: the OS user, as history records it.

/// The name of the OS user running this process (from the password database, falling back
/// to `$USER`, then the numeric uid).
pub fn current() -> String {
    let uid = nix::unistd::getuid();
    if let Ok(Some(user)) = nix::unistd::User::from_uid(uid) {
        return user.name;
    }
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("uid{uid}"))
}
