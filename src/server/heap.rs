//! A warm heap for the server: one malloc arena that keeps what it frees, and a few MiB of it
//! touched once after the handshake, so that the first big `didOpen` is parsed and analysed in
//! memory the kernel has already mapped instead of page-faulting its way through a fresh heap.
//!
//! Why: the first open of a 20,000-line (477 kB) document touches about 6 MiB of new memory
//! (text, tree, findings), about 1,500 minor page faults, each a kernel entry that zeroes a
//! page; on a 2-core VM that was a quarter to a third of the open's CPU time
//! (docs/performance.md, session 14). glibc gives each thread that allocates under contention
//! an arena of its own, grown page by page with `mprotect`, and the parse runs on a blocking
//! thread, the pod rules on another: memory warmed on one thread would not serve the others.
//! So the arenas are capped at one, big blocks stay in it rather than in `mmap`s of their own,
//! and freed memory is not trimmed back to the kernel. The cost is resident memory: the server
//! keeps [`WARM_BYTES`] and its high-water mark instead of giving them back.
//!
//! glibc only (`mallopt`); elsewhere this does nothing. Never called by `check` or `render`,
//! whose workers are busy anyway and whose process ends with the run.

/// How much of the heap [`warm`] touches: above what a 20,000-line document's first open
/// takes, with room.
pub const WARM_BYTES: usize = 8 * 1024 * 1024;

/// Sets the allocator up for the server. Call before any other thread exists: the arena cap
/// applies to threads that allocate after it.
pub fn prepare() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's malloc parameters; it is called before the process
    // has other threads, and a refused value (return 0) leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        // Blocks below this come from the arena (and go back to it) instead of a fresh mmap
        // each time; 32 MiB is glibc's ceiling for this setting on 64-bit.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        // Freed memory at the top of the heap stays mapped up to this much.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    }
}

/// Touches [`WARM_BYTES`] of the heap and frees them: the pages stay mapped (see [`prepare`])
/// for the allocations of the first open. The server calls it on a blocking thread after
/// `initialized`, beside the client's first requests rather than before the `initialize`
/// answer; an open that comes before it is done is served as without it.
pub fn warm() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // A non-zero fill writes every page (a zeroed allocation could stay unmapped).
        let warm = vec![1u8; WARM_BYTES];
        std::hint::black_box(&warm);
        drop(warm);
        tracing::info!(bytes = WARM_BYTES, "heap warmed");
    }
}
