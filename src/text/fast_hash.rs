//! A small, fast hash for string keys the program itself controls (schema names, a mapping's
//! keys), where `std`'s SipHash costs more than the lookup it serves.
//!
//! FxHash's multiply-rotate over 8-byte words, then murmur3's `fmix64` so that the low bits a
//! hash table picks buckets with are well mixed. Not collision-resistant against an adversary:
//! use it only where every hit is confirmed against the key, or where keys are trusted.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hasher built from [`FastHasher`].
pub type FastBuild = BuildHasherDefault<FastHasher>;

/// The 64-bit hash of `bytes`.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FastHasher::default();
    h.write(bytes);
    h.finish()
}

/// Streaming form of [`hash_bytes`], for `HashMap`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ bytes.len() as u64;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, n: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(K);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        assert_eq!(
            hash_bytes(b"imagePullPolicy"),
            hash_bytes(b"imagePullPolicy")
        );
        let keys = [
            "a",
            "b",
            "ab",
            "ba",
            "",
            "name",
            "names",
            "io.k8s.api.core.v1.Container",
        ];
        let mut seen = std::collections::HashSet::new();
        for k in keys {
            assert!(seen.insert(hash_bytes(k.as_bytes())), "{k}");
        }
        let mut map: HashMap<&str, usize, FastBuild> = HashMap::default();
        for (i, k) in keys.iter().enumerate() {
            map.insert(k, i);
        }
        assert_eq!(map.get("names"), Some(&6));
        assert_eq!(map.get("nam"), None);
    }
}
