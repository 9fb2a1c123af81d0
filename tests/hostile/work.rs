//! Counting work instead of timing it: this test binary's allocator counts, per thread, the
//! allocations (and reallocations) and the bytes they ask for. Analysing the same input twice
//! gives the same counts on any machine, loaded or not, debug or release, so a "linear" claim
//! is checked as "4 times the input costs about 4 times the allocations", not as a wall-clock
//! bound.
//!
//! What it sees: every `String`, `Vec`, map and node the parser and the rules build, every
//! diagnostic and message. What it does not see: work that allocates nothing, e.g. a
//! `Vec::contains` over earlier items (the quadratic pattern the duplicate checks once had);
//! the CLI runs of the same inputs in `limits` still end within their (generous) kill limits,
//! which such a regression at these sizes would not.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    // `try_with`: the thread's counters may already be gone while it exits.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + bytes as u64));
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only
// `const`-initialized thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The work `f` did on this thread.
#[derive(Debug, Clone, Copy)]
pub struct Work {
    pub allocations: u64,
    pub bytes: u64,
}

/// Runs `f` on the current thread and returns its result with the allocations it made.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Work) {
    let (a0, b0) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    let out = f();
    let work = Work {
        allocations: ALLOCATIONS.with(Cell::get) - a0,
        bytes: BYTES.with(Cell::get) - b0,
    };
    (out, work)
}

/// Asserts that `large` (an input `factor` times `small`'s) cost about `factor` times as much:
/// the bytes allocated within `factor` ± 25% (so the measure does see the input), where a
/// quadratic cost would give `factor`²; the number of allocations at most `factor` + 25%. That
/// one may grow less: a short scalar is stored inline in its node (`tree::Scalar`), so a map
/// of 40,000 short keys allocates about as often as one of 10,000.
#[track_caller]
pub fn assert_scales_linearly(what: &str, small: Work, large: Work, factor: f64) {
    for (name, s, l, least) in [
        ("allocations", small.allocations, large.allocations, 0.0),
        ("bytes allocated", small.bytes, large.bytes, factor * 0.75),
    ] {
        let ratio = l as f64 / s.max(1) as f64;
        eprintln!("{what}: {name} {s} -> {l} ({ratio:.3}x for {factor}x the input)");
        assert!(
            (least..=factor * 1.25).contains(&ratio),
            "{what}: {name} grew {ratio:.2}x for {factor}x the input ({s} -> {l})"
        );
    }
}
