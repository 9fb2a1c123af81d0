//! "Did you mean": edit distance between a typed name and the names a schema allows.

/// Names up to this many chars are compared without allocating: every name a schema has, and
/// nearly every name a user types. "Did you mean" may compare one typo with thousands of
/// container or volume names.
const INLINE: usize = 64;

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), on chars.
pub fn distance(a: &str, b: &str) -> usize {
    let (mut a_buf, mut b_buf) = (['\0'; INLINE], ['\0'; INLINE]);
    match (chars_into(a, &mut a_buf), chars_into(b, &mut b_buf)) {
        (Some(a), Some(b)) => {
            let mut rows = [0usize; 3 * (INLINE + 1)];
            osa(a, b, &mut rows[..3 * (b.len() + 1)])
        }
        _ => {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            let mut rows = vec![0usize; 3 * (b.len() + 1)];
            osa(&a, &b, &mut rows)
        }
    }
}

/// The chars of `s` in `buf`, or `None` when there are more than it holds.
fn chars_into<'b>(s: &str, buf: &'b mut [char; INLINE]) -> Option<&'b [char]> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(&buf[..n])
}

/// [`distance`] of two char slices, with `rows` (three of `b.len() + 1`, zeroed) as the
/// table: three rolling rows keep it O(m) in memory.
fn osa(a: &[char], b: &[char], rows: &mut [usize]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return n.max(m);
    }
    let (mut prev2, rest) = rows.split_at_mut(m + 1);
    let (mut prev, mut cur) = rest.split_at_mut(m + 1);
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo: a different
/// case or separator style, or an edit distance of at most a third of the word's length.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let d = if folded(candidate).eq(folded(word)) {
            0
        } else {
            // The distance is at least the difference in length: a candidate that cannot beat
            // the limit or the best so far needs no table (most of a schema's names).
            let floor = length.abs_diff(candidate.chars().count());
            if floor > limit || best.is_some_and(|(bd, _)| floor >= bd) {
                continue;
            }
            distance(word, candidate)
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Lower-case with `_` and `-` removed: `volume_mounts`, `VolumeMounts` and `volumeMounts`
/// fold to the same chars.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
}

/// The kubernetes Python client's attribute name for the API field `camel`: `hostIPC` →
/// `host_ipc`, `targetWWNs` → `target_wwns`, `imagePullSecrets` → `image_pull_secrets`.
///
/// The names of kubernetes ≥ 37, the clients that read snake_case keys in YAML (FLY102): an
/// acronym ends before a capital followed by lower case (`([A-Z]+)([A-Z][a-z])` → `\1_\2`)
/// except a closing plural (`IPs`, `WWNs`), a word ends before a capital
/// (`([a-z\d])([A-Z])` → `\1_\2`), then all is lower case. (Clients up to 36 split the plural
/// too: `pod_i_ps`, `target_ww_ns`.) A test checks this against every name of the client's own
/// `attribute_map` (`schemas/python/kubernetes-client.json`). Turning snake_case into
/// camelCase instead would guess `hostIpc` for `host_ipc`.
pub fn camel_to_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    snake_bytes(camel, |b| out.push(char::from(b)));
    out
}

/// Whether `snake` is the client's snake_case attribute name of the API field `camel` (and not
/// the field's own name: it has an underscore).
pub fn is_snake_of(snake: &str, camel: &str) -> bool {
    if !snake.contains('_') || !camel.is_ascii() {
        return false;
    }
    // Compared as it is produced, without allocating: the schema walk asks this of every
    // property of an object when a key is not one of them.
    let mut want = snake.bytes();
    let mut same = true;
    snake_bytes(camel, |b| same &= want.next() == Some(b));
    same && want.next().is_none()
}

/// The bytes of [`camel_to_snake`] of an ASCII name (non-ASCII bytes pass through).
fn snake_bytes(camel: &str, mut emit: impl FnMut(u8)) {
    let c = camel.as_bytes();
    for (i, &b) in c.iter().enumerate() {
        if b.is_ascii_uppercase() && i > 0 {
            let prev = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(u8::is_ascii_lowercase)
                && !(c.get(i + 1) == Some(&b's') && i + 2 == c.len());
            // The first pattern splits an acronym from the word after it (`IP|Family`), the second
            // a word from the capital after it (`host|IPC`); a capital after a split has `_`
            // before it, so the two never both apply.
            if (prev.is_ascii_uppercase() && next_lower)
                || prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
            {
                emit(b'_');
            }
        }
        emit(if b == b'-' {
            b'_'
        } else {
            b.to_ascii_lowercase()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_non_ascii_words_are_measured_like_short_ones() {
        // Past `INLINE` chars the tables are allocated; the answer is the same.
        let long = "a".repeat(INLINE + 6);
        let longer = format!("{long}b");
        assert_eq!(distance(&long, &longer), 1);
        assert_eq!(distance(&longer, &long), 1);
        assert_eq!(distance(&long, "ab"), INLINE + 5);
        assert_eq!(distance("ba", &long[..2]), 1);
        let swapped = format!("{}ba", &long[..INLINE]);
        assert_eq!(distance(&format!("{}ab", &long[..INLINE]), &swapped), 1);
        // On chars, not bytes: `é` is one edit.
        assert_eq!(distance("émoji", "emoji"), 1);
        assert_eq!(distance(&"é".repeat(INLINE + 1), &"é".repeat(INLINE)), 1);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("imagePullSecret", "imagePullSecrets"), 1);
        assert_eq!(distance("imagePulPolicy", "imagePullPolicy"), 1);
        assert_eq!(distance("nmae", "name"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn closest_picks_plausible_typos_only() {
        let props = ["imagePullSecrets", "imagePullPolicy", "image", "name"];
        assert_eq!(closest("imagePullSecret", props), Some("imagePullSecrets"));
        assert_eq!(closest("imagepullpolicy", props), Some("imagePullPolicy"));
        assert_eq!(closest("replicas", props), None);
        assert_eq!(closest("services", ["secrets"]), None);
    }

    /// Skipping candidates by length changes no answer: the same pick as trying every one.
    #[test]
    fn pruning_by_length_picks_what_trying_every_candidate_does() {
        fn every<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
            let limit = (word.chars().count() / 3).max(1);
            let fold = |s: &str| folded(s).collect::<String>();
            let mut best: Option<(usize, &'a str)> = None;
            for c in candidates.iter().copied().filter(|c| *c != word) {
                let d = if fold(c) == fold(word) {
                    0
                } else {
                    distance(word, c)
                };
                if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, c));
                }
            }
            best.map(|(_, c)| c)
        }
        let names = [
            "name",
            "image",
            "imagePullPolicy",
            "imagePullSecrets",
            "env",
            "envFrom",
            "ports",
            "volumeMounts",
            "volumeDevices",
            "resources",
            "restartPolicy",
            "nodeName",
            "nodeSelector",
            "hostIPC",
            "hostPID",
            "hostNetwork",
            "dnsPolicy",
            "dnsConfig",
            "os",
            "ä",
            "näme",
            "",
        ];
        let words = [
            "nmae",
            "nam",
            "names",
            "imag",
            "imagePullSecret",
            "image_pull_policy",
            "Env",
            "envfrom",
            "port",
            "volumeMount",
            "volume_devices",
            "resource",
            "restartPolicy",
            "nodename",
            "node_selector",
            "hostipc",
            "hostPId",
            "dns",
            "o",
            "x",
            "",
            "näm",
            "ä",
            "hostNetwrok",
            "dnsConfg",
        ];
        for word in words {
            for n in 0..=names.len() {
                // Every prefix of the list, so that the best-so-far differs as candidates come.
                let candidates = &names[..n];
                assert_eq!(
                    closest(word, candidates.iter().copied()),
                    every(word, candidates),
                    "{word:?} among {candidates:?}"
                );
            }
        }
    }

    #[test]
    fn the_clients_snake_case_names() {
        for (camel, snake) in [
            ("imagePullSecrets", "image_pull_secrets"),
            ("hostIPC", "host_ipc"),
            ("setHostnameAsFQDN", "set_hostname_as_fqdn"),
            ("targetWWNs", "target_wwns"),
            ("podIPs", "pod_ips"),
            ("IPsInUse", "i_ps_in_use"),
            ("volumeID", "volume_id"),
            ("image", "image"),
        ] {
            assert_eq!(camel_to_snake(camel), snake);
        }
        assert!(is_snake_of("host_ipc", "hostIPC"));
        assert!(!is_snake_of("host_ip", "hostIPC"));
        assert!(!is_snake_of("host_ipcs", "hostIPC"));
        // `hostIpc` is no spelling the client has, and a name without `_` is the field's own.
        assert!(!is_snake_of("hostipc", "hostIPC"));
        assert!(!is_snake_of("image", "image"));
    }
}
