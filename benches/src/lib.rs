//! Benchmarks live in benches/; this library holds inputs and helpers they
//! share.

pub mod stackwalk_inputs;
pub mod sym_gen;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Polls `future` on this thread until it is ready, parking in between: the
/// peer's processor is async, and a runtime would be one more thing measured.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return value,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// Where benchmarks put the files they write: tmpfs if there is one, so
/// they measure the CPU and not the disk.
pub fn scratch_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The median of `values` (sorted in place; the upper one of an even
/// count).
pub fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Cargo's target directory, where criterion keeps its results.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The median time of `function` on `input` in criterion group `group`, in
/// nanoseconds, read back from criterion's saved estimates.
pub fn median_ns(group: &str, input: &str, function: &str) -> Option<f64> {
    let path = target_dir().join("criterion").join(group).join(function).join(input).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let median = text.split("\"median\":").nth(1)?;
    let point = median.split("\"point_estimate\":").nth(1)?;
    point.split([',', '}']).next()?.trim().parse().ok()
}
