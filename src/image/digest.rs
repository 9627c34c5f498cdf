//! sha256 digests of blobs, computed while they stream past: one reader for every source.

use std::borrow::Borrow;
use std::cell::Cell;
use std::fmt;
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

/// Why a blob read through [`DigestReader::verifying`] failed: the payload of the
/// [`io::ErrorKind::InvalidData`] error it returns, so a source can turn it back into
/// its own typed error ([`Mismatch::of`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("blob {digest}: expected {expected} bytes, got {actual}")]
    Size {
        digest: String,
        expected: u64,
        actual: u64,
    },
    /// Reported as soon as the stream passes the declared size, so a hostile server
    /// cannot stream forever.
    #[error("blob {digest}: more than the {expected} bytes the descriptor declares")]
    TooLong { digest: String, expected: u64 },
    #[error("blob digest mismatch: expected {expected}, got {actual}")]
    Digest { expected: String, actual: String },
}

impl Mismatch {
    /// The mismatch an error from a verifying [`DigestReader`] carries, if it is one.
    pub fn of(error: &io::Error) -> Option<&Mismatch> {
        error.get_ref()?.downcast_ref::<Mismatch>()
    }
}

impl From<Mismatch> for io::Error {
    fn from(mismatch: Mismatch) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, mismatch)
    }
}

/// Hashes and counts every byte read through it and, when it knows what to expect
/// ([`DigestReader::verifying`]), checks the blob's size and digest.
///
/// The count lives in `C`: a `&Cell` the caller owns, so a decompressor further down the
/// chain can watch it (the ratio check) while this reader is borrowed by the chain; or
/// the reader's own `Cell`, which keeps it `Send` for a blob read on another thread.
pub struct DigestReader<R, C: Borrow<Cell<u64>> = Cell<u64>> {
    inner: R,
    hasher: Option<Sha256>,
    count: C,
    expected: Option<Expected>,
    /// The verdict was reached and was good: further reads are the end of stream.
    verified: bool,
}

struct Expected {
    digest: String,
    size: u64,
}

impl<'a, R: Read> DigestReader<R, &'a Cell<u64>> {
    pub fn new(inner: R, count: &'a Cell<u64>) -> Self {
        DigestReader::with_count(inner, Some(Sha256::new()), count, None)
    }

    /// Counts without hashing (hashing costs as much as decompressing).
    pub fn counting(inner: R, count: &'a Cell<u64>) -> Self {
        DigestReader::with_count(inner, None, count, None)
    }
}

impl<R: Read> DigestReader<R> {
    /// Reads `inner` through; at end of stream it fails with [`Mismatch`] (as
    /// [`io::ErrorKind::InvalidData`]) unless exactly `size` bytes with the sha256
    /// `digest` came by, and reading past `size` fails at once. The verdict only comes at
    /// end of stream: a caller that stops early (tar and gzip readers do) calls
    /// [`DigestReader::finish`] to get it.
    pub fn verifying(inner: R, digest: &str, size: u64) -> Self {
        let expected = Expected {
            digest: digest.to_owned(),
            size,
        };
        DigestReader::with_count(inner, Some(Sha256::new()), Cell::new(0), Some(expected))
    }
}

impl<R: Read, C: Borrow<Cell<u64>>> DigestReader<R, C> {
    fn with_count(inner: R, hasher: Option<Sha256>, count: C, expected: Option<Expected>) -> Self {
        DigestReader {
            inner,
            hasher,
            count,
            expected,
            verified: false,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.count.borrow().get()
    }

    /// The digest of what was read so far; `None` when only counting.
    pub fn digest(self) -> Option<String> {
        self.hasher
            .map(|hasher| hex_digest(hasher.finalize().as_slice()))
    }

    /// Reads what is left (a tar reader stops at its end-of-archive blocks, a
    /// decompressor at its trailer), then returns the digest of everything read, or the
    /// [`Mismatch`] of a verifying reader.
    pub fn finish(mut self) -> io::Result<String> {
        io::copy(&mut self, &mut io::sink())?;
        let hasher = self.hasher.take().unwrap_or_default();
        Ok(hex_digest(hasher.finalize().as_slice()))
    }

    fn verdict(&self, expected: &Expected) -> Result<(), Mismatch> {
        let read = self.bytes_read();
        if read != expected.size {
            return Err(Mismatch::Size {
                digest: expected.digest.clone(),
                expected: expected.size,
                actual: read,
            });
        }
        let actual = self
            .hasher
            .clone()
            .map(|hasher| hex_digest(hasher.finalize().as_slice()))
            .unwrap_or_default();
        if actual != expected.digest {
            return Err(Mismatch::Digest {
                expected: expected.digest.clone(),
                actual,
            });
        }
        Ok(())
    }
}

impl<R: Read, C: Borrow<Cell<u64>>> Read for DigestReader<R, C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.verified || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if let Some(expected) = &self.expected {
            if n == 0 {
                self.verdict(expected)?;
                self.verified = true;
                return Ok(0);
            }
            if self.bytes_read() + n as u64 > expected.size {
                return Err(Mismatch::TooLong {
                    digest: expected.digest.clone(),
                    expected: expected.size,
                }
                .into());
            }
        }
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        let count = self.count.borrow();
        count.set(count.get() + n as u64);
        Ok(n)
    }
}

impl<R, C: Borrow<Cell<u64>>> fmt::Debug for DigestReader<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("DigestReader");
        if let Some(expected) = &self.expected {
            debug
                .field("expected_digest", &expected.digest)
                .field("expected_size", &expected.size);
        }
        debug
            .field("read", &self.count.borrow().get())
            .finish_non_exhaustive()
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

    /// Blobs are read on rayon threads.
    #[test]
    fn verifying_readers_can_be_sent_across_threads() {
        fn sent<T: Send>() {}
        sent::<DigestReader<std::fs::File>>();
    }

    fn read_all(reader: &mut impl Read) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // Small reads, so the check at the end is reached through many partial reads.
        let mut buf = [0u8; 7];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn verifying_reader_accepts_exact_content() {
        let data = b"layer bytes, any length".to_vec();
        let mut reader = DigestReader::verifying(&data[..], &sha256(&data), data.len() as u64);
        assert_eq!(read_all(&mut reader).unwrap(), data);
        assert_eq!(reader.bytes_read(), data.len() as u64);
        // After the verdict, the end of stream stays the end of stream.
        assert_eq!(read_all(&mut reader).unwrap(), b"");
    }

    #[test]
    fn verifying_reader_rejects_a_tampered_blob_at_the_end() {
        let data = b"layer bytes, any length".to_vec();
        let digest = sha256(&data);
        let mut tampered = data.clone();
        tampered[3] ^= 1;
        let err = read_all(&mut DigestReader::verifying(
            &tampered[..],
            &digest,
            data.len() as u64,
        ))
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("digest mismatch"), "{err}");
        assert!(
            matches!(Mismatch::of(&err), Some(Mismatch::Digest { expected, .. }) if *expected == digest),
            "{err:?}"
        );
    }

    #[test]
    fn finish_verifies_what_the_consumer_left_unread() {
        let data = b"tar blocks, then padding the tar reader never reads".to_vec();
        let digest = sha256(&data);
        let mut reader = DigestReader::verifying(&data[..], &digest, data.len() as u64);
        let mut head = [0u8; 10];
        reader.read_exact(&mut head).unwrap();
        assert_eq!(reader.finish().unwrap(), digest);

        let mut tampered = data.clone();
        *tampered.last_mut().unwrap() ^= 1;
        let mut reader = DigestReader::verifying(&tampered[..], &digest, data.len() as u64);
        reader.read_exact(&mut head).unwrap();
        let err = reader.finish().unwrap_err();
        assert!(err.to_string().contains("digest mismatch"), "{err}");
    }

    #[test]
    fn verifying_reader_rejects_short_and_long_blobs() {
        let data = b"0123456789".to_vec();
        let digest = sha256(&data);
        let short = read_all(&mut DigestReader::verifying(&data[..9], &digest, 10)).unwrap_err();
        assert!(
            short.to_string().contains("expected 10 bytes, got 9"),
            "{short}"
        );
        let long = read_all(&mut DigestReader::verifying(&data[..], &digest, 5)).unwrap_err();
        assert!(long.to_string().contains("more than the 5 bytes"), "{long}");
        assert!(matches!(
            Mismatch::of(&long),
            Some(Mismatch::TooLong { expected: 5, .. })
        ));
    }
}
