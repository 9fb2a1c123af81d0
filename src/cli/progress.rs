//! A one-line progress indication for long `check` runs, on stderr, only when stderr is a
//! terminal (never in CI logs, pipes or editors) and not under `--quiet`.
//!
//! The line appears once a run has taken a moment (short runs never flash it), is redrawn a few
//! times a second at most, and is erased before anything else is printed and at the end, so the
//! diagnostics on stdout are never mixed with it.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A run shorter than this shows no progress at all. `FLYTE_LSP_PROGRESS_AFTER_MS` sets it
/// (the tests set 0, so that a short run on a pseudo-terminal shows the line).
const FIRST_DRAW: Duration = Duration::from_millis(300);
/// The least time between two redraws.
const REDRAW: Duration = Duration::from_millis(100);

pub struct Progress {
    verb: &'static str,
    total: usize,
    done: usize,
    enabled: bool,
    start: Instant,
    first_draw: Duration,
    last: Option<Instant>,
    /// Whether the line is on the screen now.
    shown: bool,
}

impl Progress {
    /// A progress line `verb N/total files` for a run over `total` files.
    pub fn new(verb: &'static str, total: usize, quiet: bool) -> Progress {
        Progress {
            verb,
            total,
            done: 0,
            enabled: !quiet && total > 1 && std::io::stderr().is_terminal(),
            start: Instant::now(),
            first_draw: std::env::var("FLYTE_LSP_PROGRESS_AFTER_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(FIRST_DRAW, Duration::from_millis),
            last: None,
            shown: false,
        }
    }

    /// One more file is done.
    pub fn tick(&mut self) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let due = match self.last {
            None => now.duration_since(self.start) >= self.first_draw,
            Some(last) => now.duration_since(last) >= REDRAW,
        };
        if due && self.done < self.total {
            self.last = Some(now);
            self.shown = true;
            let mut err = std::io::stderr().lock();
            // `\r` and erase-line: the line is redrawn in place.
            let _ = write!(
                err,
                "\r\x1b[2K{} {}/{} files",
                self.verb, self.done, self.total
            );
            let _ = err.flush();
        }
    }

    /// Erases the line, if it is shown (before other output, and at the end).
    pub fn clear(&mut self) {
        if self.shown {
            self.shown = false;
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
