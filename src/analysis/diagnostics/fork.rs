//! A fork-join of two closures over one persistent helper thread: the helper runs the second
//! while the caller runs the first, and the caller runs the second itself when the helper has
//! not started it by then.
//!
//! Why not `std::thread::scope`: a fresh thread per analysis cost its creation, its exit and
//! the join on this 2-core VM, and after the idle time between keystrokes the other CPU often
//! woke so late that the new thread started after the caller had finished the first closure
//! (temporary timestamps: two opens of the latency bench's 2k document in three). The caller
//! then waited for a thread to start, run and exit, longer than running both closures itself.
//! Here a late helper costs nothing: the caller takes the work back.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The second closure, its lifetime erased (see [`join`] for why that is sound).
type Task = Box<dyn FnOnce() + Send + 'static>;

/// One offered closure: whoever takes `task` first runs it.
struct Job {
    task: Mutex<Option<Task>>,
    done: Mutex<bool>,
    finished: Condvar,
}

/// The helper thread's mailbox: at most one job waits in it.
struct Helper {
    offered: Mutex<Option<Arc<Job>>>,
    wake: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The helper catches a task's panic, so a lock is only poisoned by a bug here; its data
    // (an `Option`, a flag) stays consistent either way.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The helper, started on first use (or by [`start`]); `None` when its thread cannot start.
fn helper() -> Option<&'static Helper> {
    static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();
    *HELPER.get_or_init(|| {
        let helper: &'static Helper = Box::leak(Box::new(Helper {
            offered: Mutex::new(None),
            wake: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("flyte-lsp-fork".into())
            .spawn(move || serve(helper))
            .ok()
            .map(|_| helper)
    })
}

/// Starts the helper thread ahead of the first [`join`], so that no analysis waits for it.
pub fn start() {
    helper();
}

fn serve(helper: &'static Helper) {
    loop {
        let job = {
            let mut offered = lock(&helper.offered);
            loop {
                if let Some(job) = offered.take() {
                    break job;
                }
                offered = helper.wake.wait(offered).unwrap_or_else(|e| e.into_inner());
            }
        };
        let task = lock(&job.task).take();
        if let Some(task) = task {
            // The task catches its closure's panic itself (see `join`).
            task();
        }
        *lock(&job.done) = true;
        job.finished.notify_all();
    }
}

/// How long the caller spins for a helper that is running the second closure before it
/// sleeps: a sleep and its wake-up cost more than most second halves have left.
const SPIN: Duration = Duration::from_micros(300);

/// Runs `a` on this thread and `b` on the helper, or both here; returns both results. A panic
/// in either is resumed here once neither runs any more.
pub fn join<RA, RB: Send>(a: impl FnOnce() -> RA, b: impl FnOnce() -> RB + Send) -> (RA, RB) {
    let Some(helper) = helper() else {
        return (a(), b());
    };
    let mut result: Option<std::thread::Result<RB>> = None;
    let slot = SendPtr(&mut result);
    let task: Box<dyn FnOnce() + Send + '_> = Box::new(move || {
        let slot = slot;
        let value = catch_unwind(AssertUnwindSafe(b));
        // SAFETY: `result` outlives the task (see below), and nothing reads it before the
        // task has finished.
        unsafe { *slot.0 = Some(value) };
    });
    // SAFETY: the task borrows `result` and what `b` borrows. It is run or dropped before this
    // function returns or unwinds: `Reclaim` takes it back if it was not started, or waits
    // until the helper has finished it.
    let task: Task = unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + '_>, Task>(task) };
    let job = Arc::new(Job {
        task: Mutex::new(Some(task)),
        done: Mutex::new(false),
        finished: Condvar::new(),
    });
    {
        let mut offered = lock(&helper.offered);
        if offered.is_some() {
            // Another caller's job waits for the helper: this one runs here, below.
        } else {
            *offered = Some(job.clone());
            helper.wake.notify_one();
        }
    }
    let reclaim = Reclaim { helper, job: &job };
    let ra = a();
    reclaim.finish();
    std::mem::forget(reclaim);
    match result {
        Some(Ok(rb)) => (ra, rb),
        Some(Err(panic)) => resume_unwind(panic),
        // `finish` returns only once the task has run, here or on the helper.
        None => unreachable!("the second half did not run"),
    }
}

/// A raw pointer that may cross to the helper thread.
struct SendPtr<T>(*mut T);
// SAFETY: the pointee is written by one thread at a time (see `join`).
unsafe impl<T: Send> Send for SendPtr<T> {}

/// Makes sure the task no longer runs and borrows nothing, also when `a` panics.
struct Reclaim<'a> {
    helper: &'a Helper,
    job: &'a Arc<Job>,
}

impl Reclaim<'_> {
    fn finish(&self) {
        let task = lock(&self.job.task).take();
        if let Some(task) = task {
            // Not started: withdraw the offer (the helper would find nothing to do) and run it.
            let mut offered = lock(&self.helper.offered);
            if offered.as_ref().is_some_and(|j| Arc::ptr_eq(j, self.job)) {
                *offered = None;
            }
            drop(offered);
            task();
            return;
        }
        self.wait();
    }

    /// Waits until the helper, which took the task, has finished it: spinning first.
    fn wait(&self) {
        let start = Instant::now();
        while start.elapsed() < SPIN {
            if *lock(&self.job.done) {
                return;
            }
            std::hint::spin_loop();
        }
        let mut done = lock(&self.job.done);
        while !*done {
            done = self
                .job
                .finished
                .wait(done)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Reclaim<'_> {
    /// Only reached when `a` panicked: the task is dropped unrun, or waited for.
    fn drop(&mut self) {
        let unrun = lock(&self.job.task).take();
        if unrun.is_none() {
            self.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn both_results_come_back_with_borrowed_inputs() {
        let words = ["pod".to_string(), "spec".to_string()];
        let (a, b) = join(
            || words[0].len(),
            || words.iter().map(String::len).sum::<usize>(),
        );
        assert_eq!((a, b), (3, 7));
    }

    #[test]
    fn a_long_first_half_lets_the_helper_run_the_second() {
        let on = std::thread::current().id();
        // Another test's job may hold the mailbox for a moment (the tests run in parallel),
        // and then this join runs both halves here; it takes one free mailbox to pass.
        let helped = (0..20).any(|_| {
            let (_, other) = join(
                || std::thread::sleep(Duration::from_millis(50)),
                || std::thread::current().id(),
            );
            other != on
        });
        assert!(helped, "the helper never took the second half in 50 ms");
    }

    #[test]
    fn joins_from_many_threads_at_once_all_complete() {
        let count = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for i in 0..200 {
                        let (a, b) = join(|| i * 2, || i * 3);
                        assert_eq!((a, b), (i * 2, i * 3));
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(count.load(Ordering::Relaxed), 1600);
    }

    #[test]
    fn a_panic_in_the_second_half_reaches_the_caller_and_the_helper_goes_on() {
        let caught = catch_unwind(|| join(|| 1, || -> u8 { panic!("second half") }));
        assert!(caught.is_err());
        assert_eq!(join(|| 1, || 2), (1, 2));
    }

    #[test]
    fn a_panic_in_the_first_half_waits_for_the_second_before_unwinding() {
        let finished = AtomicUsize::new(0);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            join(
                || -> u8 {
                    std::thread::sleep(Duration::from_millis(5));
                    panic!("first half")
                },
                || {
                    std::thread::sleep(Duration::from_millis(20));
                    finished.fetch_add(1, Ordering::SeqCst);
                },
            )
        }));
        assert!(caught.is_err());
        // Either the helper ran it (and it was waited for) or it was dropped unrun.
        let after = finished.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(
            finished.load(Ordering::SeqCst),
            after,
            "ran after the unwind"
        );
        assert_eq!(join(|| 1, || 2), (1, 2));
    }
}
