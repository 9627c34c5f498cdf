//! sha256 digests of blobs, computed while they stream past.

use std::cell::Cell;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// `sha256:HEX` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex_digest(Sha256::digest(bytes).as_slice())
}

fn hex_digest(hash: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// Hashes and counts every byte read through it. The count lives in a [`Cell`] the
/// caller owns, so a decompressor further down the chain can watch it (the ratio check)
/// while this reader is borrowed by the chain.
pub struct DigestReader<'a, R> {
    inner: R,
    hasher: Option<Sha256>,
    count: &'a Cell<u64>,
}

impl<'a, R: Read> DigestReader<'a, R> {
    pub fn new(inner: R, count: &'a Cell<u64>) -> Self {
        DigestReader {
            inner,
            hasher: Some(Sha256::new()),
            count,
        }
    }

    /// Counts without hashing (hashing costs as much as decompressing).
    pub fn counting(inner: R, count: &'a Cell<u64>) -> Self {
        DigestReader {
            inner,
            hasher: None,
            count,
        }
    }

    /// The digest of what was read so far; `None` when only counting.
    pub fn digest(self) -> Option<String> {
        self.hasher
            .map(|hasher| hex_digest(hasher.finalize().as_slice()))
    }

    /// Reads what is left, then returns the digest of everything read.
    pub fn finish(mut self) -> io::Result<String> {
        io::copy(&mut self, &mut io::sink())?;
        let hasher = self.hasher.take().unwrap_or_default();
        Ok(hex_digest(hasher.finalize().as_slice()))
    }
}

impl<R: Read> Read for DigestReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_sha256sum() {
        assert_eq!(
            sha256(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let count = Cell::new(0);
        let mut reader = DigestReader::new(&b"abc"[..], &count);
        let mut first = [0; 1];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(reader.finish().unwrap(), sha256(b"abc"));
        assert_eq!(count.get(), 3);
    }
}
