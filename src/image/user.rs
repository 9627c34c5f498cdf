//! The runtime user: the config's `User` resolved as the container runtime resolves it,
//! through the image's own `/etc/passwd` and `/etc/group`.

/// The parsed `passwd` and `group` files of an image (`None` when the file is absent).
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    pub passwd: Option<String>,
    pub group: Option<String>,
}

/// Who the container runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeUser {
    /// The config's `User` as written (`""` when unset).
    pub configured: String,
    /// The user's name when passwd has it.
    pub name: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// UID 0, whatever the name.
    pub runs_as_root: bool,
    /// Why the user cannot be resolved (the container will not start).
    pub problem: Option<String>,
}

struct PasswdEntry<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
}

fn passwd_entries(passwd: &str) -> impl Iterator<Item = PasswdEntry<'_>> {
    passwd.lines().filter_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _password = fields.next()?;
        let uid = fields.next()?.trim().parse().ok()?;
        let gid = fields.next()?.trim().parse().ok()?;
        (!name.is_empty() && !name.starts_with('#')).then_some(PasswdEntry { name, uid, gid })
    })
}

fn group_entries(group: &str) -> impl Iterator<Item = (&str, u32)> {
    group.lines().filter_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _password = fields.next()?;
        let gid = fields.next()?.trim().parse().ok()?;
        (!name.is_empty()).then_some((name, gid))
    })
}

/// Resolves `User` (`name`, `uid`, `name:group`, `uid:gid`, empty = root) as runc does:
/// a numeric UID needs no passwd entry (distroless); a name must be in passwd, or the
/// container fails to start. `accounts` is `None` when the layers were not read: then
/// only numeric users resolve.
pub fn resolve(configured: &str, accounts: Option<&Accounts>) -> RuntimeUser {
    let mut user = RuntimeUser {
        configured: configured.to_string(),
        name: None,
        uid: None,
        gid: None,
        runs_as_root: false,
        problem: None,
    };
    let spec = configured.trim();
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let passwd = accounts.and_then(|a| a.passwd.as_deref());
    let group = accounts.and_then(|a| a.group.as_deref());

    // No user is UID 0, looked up like `USER 0`.
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    if let Ok(uid) = user_part.parse::<u32>() {
        user.uid = Some(uid);
        if let Some(entry) = passwd.and_then(|p| passwd_entries(p).find(|e| e.uid == uid)) {
            user.name = Some(entry.name.to_string());
            user.gid = Some(entry.gid);
        } else if accounts.is_some() {
            // runc's default group for a UID it cannot find.
            user.gid = Some(0);
        }
    } else if accounts.is_none() {
        user.problem = Some(format!(
            "user `{user_part}` is a name; resolving it needs the image's /etc/passwd"
        ));
    } else {
        match passwd.and_then(|p| passwd_entries(p).find(|e| e.name == user_part)) {
            Some(entry) => {
                user.name = Some(entry.name.to_string());
                user.uid = Some(entry.uid);
                user.gid = Some(entry.gid);
            }
            None => {
                let why = if passwd.is_some() {
                    "no matching entry in the image's /etc/passwd"
                } else {
                    "the image has no /etc/passwd"
                };
                user.problem = Some(format!(
                    "user `{user_part}` does not exist ({why}): the container will fail to start"
                ));
            }
        }
    }

    match group_part {
        None | Some("") => {}
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => user.gid = Some(gid),
            Err(_) if accounts.is_none() => {}
            Err(_) => match group.and_then(|text| group_entries(text).find(|(name, _)| *name == g))
            {
                Some((_, gid)) => user.gid = Some(gid),
                None => {
                    user.gid = None;
                    user.problem.get_or_insert_with(|| {
                        format!(
                            "group `{g}` does not exist in the image's /etc/group: the container will fail to start"
                        )
                    });
                }
            },
        },
    }
    if user.uid == Some(0) && user.gid.is_none() && group_part.is_none() {
        user.gid = Some(0);
    }
    user.runs_as_root = user.uid == Some(0);
    user
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/sbin/nologin\nfake:x:0:0::/:/bin/sh\n";
    const GROUP: &str = "root:x:0:\napp:x:10001:\nstaff:x:50:\n";

    fn accounts() -> Accounts {
        Accounts {
            passwd: Some(PASSWD.into()),
            group: Some(GROUP.into()),
        }
    }

    fn ids(user: &RuntimeUser) -> (Option<u32>, Option<u32>, bool, bool) {
        (
            user.uid,
            user.gid,
            user.runs_as_root,
            user.problem.is_some(),
        )
    }

    #[test]
    fn every_form_of_user() {
        let a = accounts();
        assert_eq!(ids(&resolve("", Some(&a))), (Some(0), Some(0), true, false));
        assert_eq!(resolve("", Some(&a)).name.as_deref(), Some("root"));
        assert_eq!(
            ids(&resolve("root", Some(&a))),
            (Some(0), Some(0), true, false)
        );
        assert_eq!(
            ids(&resolve("0:0", Some(&a))),
            (Some(0), Some(0), true, false)
        );
        assert_eq!(
            ids(&resolve("app", Some(&a))),
            (Some(10001), Some(10001), false, false)
        );
        assert_eq!(
            ids(&resolve("app:staff", Some(&a))),
            (Some(10001), Some(50), false, false)
        );
        assert_eq!(
            ids(&resolve("10001:10001", Some(&a))),
            (Some(10001), Some(10001), false, false)
        );
        assert_eq!(
            ids(&resolve("fake", Some(&a))),
            (Some(0), Some(0), true, false)
        );
        assert_eq!(ids(&resolve("ghost", Some(&a))), (None, None, false, true));
        assert_eq!(
            ids(&resolve("app:nogroup", Some(&a))),
            (Some(10001), None, false, true)
        );
        assert_eq!(resolve("10001", Some(&a)).name.as_deref(), Some("app"));
    }

    #[test]
    fn distroless_numeric_user_without_passwd() {
        let none = Accounts::default();
        assert_eq!(
            ids(&resolve("65532", Some(&none))),
            (Some(65532), Some(0), false, false)
        );
        assert_eq!(
            ids(&resolve("65532:65532", Some(&none))),
            (Some(65532), Some(65532), false, false)
        );
        let message = resolve("nonroot", Some(&none)).problem.unwrap();
        assert!(message.contains("has no /etc/passwd"), "{message}");
        assert!(message.contains("will fail to start"), "{message}");
    }

    #[test]
    fn config_only_resolves_numbers() {
        assert_eq!(
            ids(&resolve("1000:1000", None)),
            (Some(1000), Some(1000), false, false)
        );
        assert_eq!(
            ids(&resolve("1000", None)),
            (Some(1000), None, false, false)
        );
        assert!(resolve("app", None).uid.is_none());
    }
}
