//! A one-line progress indicator on stderr while layers are read (downloaded from a
//! registry, streamed from the daemon, read from an archive): bytes and layers done of
//! the total. Only on a terminal: [`Progress::for_terminal`] returns `None` otherwise,
//! and nothing is ever written. The line is redrawn a few times a second by its own
//! thread and cleared by [`Progress::finish`] (or on drop).

use std::io::{self, IsTerminal as _, Read, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::limits::format_size;

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(120);

#[derive(Debug, Default)]
struct Counters {
    bytes_done: AtomicU64,
    bytes_total: AtomicU64,
    /// A layer whose size is unknown (the daemon's) makes the total unknown.
    total_unknown: AtomicBool,
    layers_done: AtomicUsize,
    layers_total: AtomicUsize,
    stop: AtomicBool,
}

/// Progress of all layer reads of one run (several images may be read at once).
#[derive(Debug)]
pub struct Progress {
    counters: Arc<Counters>,
    drawer: Mutex<Option<JoinHandle<()>>>,
    /// The drawing thread, woken to draw at once when layers are announced.
    thread: std::thread::Thread,
}

impl Progress {
    /// A progress line on stderr if stderr is a terminal, else `None`.
    pub fn for_terminal() -> Option<Arc<Progress>> {
        io::stderr()
            .is_terminal()
            .then(|| Arc::new(Progress::start()))
    }

    fn start() -> Progress {
        let counters = Arc::new(Counters::default());
        let shared = Arc::clone(&counters);
        let drawer = std::thread::spawn(move || {
            let mut drawn = false;
            while !shared.stop.load(Ordering::Relaxed) {
                std::thread::park_timeout(TICK);
                if shared.stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Some(line) = render(&shared) {
                    // Progress is best effort: a failed write is not an error.
                    let _ = write!(io::stderr().lock(), "\r\x1b[2K{line}");
                    drawn = true;
                }
            }
            if drawn {
                let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            }
        });
        Progress {
            counters,
            thread: drawer.thread().clone(),
            drawer: Mutex::new(Some(drawer)),
        }
    }

    /// Layers about to be read: how many, and their sizes when known.
    pub fn add_layers(&self, sizes: impl IntoIterator<Item = Option<u64>>) {
        for size in sizes {
            self.counters.layers_total.fetch_add(1, Ordering::Relaxed);
            match size {
                Some(bytes) => {
                    self.counters
                        .bytes_total
                        .fetch_add(bytes, Ordering::Relaxed);
                }
                None => self.counters.total_unknown.store(true, Ordering::Relaxed),
            }
        }
        self.thread.unpark();
    }

    pub fn read(&self, bytes: u64) {
        self.counters.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn layer_done(&self) {
        self.counters.layers_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops redrawing and clears the line. Idempotent.
    pub fn finish(&self) {
        self.counters.stop.store(true, Ordering::Relaxed);
        let drawer = self.drawer.lock().ok().and_then(|mut slot| slot.take());
        if let Some(drawer) = drawer {
            self.thread.unpark();
            let _ = drawer.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `reading layers: 12.0 MB / 40.5 MB, 3/7 layers`; `None` before any layer is known.
fn render(counters: &Counters) -> Option<String> {
    let layers_total = counters.layers_total.load(Ordering::Relaxed);
    if layers_total == 0 {
        return None;
    }
    let done = counters.bytes_done.load(Ordering::Relaxed);
    let bytes = if counters.total_unknown.load(Ordering::Relaxed) {
        format_size(done)
    } else {
        let total = counters.bytes_total.load(Ordering::Relaxed);
        format!("{} / {}", format_size(done.min(total)), format_size(total))
    };
    let layers_done = counters
        .layers_done
        .load(Ordering::Relaxed)
        .min(layers_total);
    Some(format!(
        "reading layers: {bytes}, {layers_done}/{layers_total} layers"
    ))
}

/// A reader that counts what passes through it into a [`Progress`].
pub struct Counted<'a, R> {
    pub inner: R,
    pub progress: &'a Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.read(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_bytes_and_layers() {
        let counters = Counters::default();
        assert_eq!(render(&counters), None);
        counters.layers_total.store(3, Ordering::Relaxed);
        counters.bytes_total.store(3_000_000, Ordering::Relaxed);
        counters.bytes_done.store(1_000_000, Ordering::Relaxed);
        counters.layers_done.store(1, Ordering::Relaxed);
        assert_eq!(
            render(&counters).unwrap(),
            "reading layers: 1.0 MB / 3.0 MB, 1/3 layers"
        );
        counters.total_unknown.store(true, Ordering::Relaxed);
        assert_eq!(
            render(&counters).unwrap(),
            "reading layers: 1.0 MB, 1/3 layers"
        );
    }

    #[test]
    fn counted_reads_add_up() {
        let progress = Progress::start();
        let mut reader = Counted {
            inner: &[7u8; 1000][..],
            progress: &progress,
        };
        io::copy(&mut reader, &mut io::sink()).unwrap();
        assert_eq!(progress.counters.bytes_done.load(Ordering::Relaxed), 1000);
        progress.finish();
        progress.finish();
    }
}
