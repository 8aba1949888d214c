//! The one place an async runtime is made. Commands are synchronous at their
//! edges and block on the async adapters (HTTP, databases, Redis) inside.

use std::io;

/// A runtime on the calling thread: one connection at a time (migrations,
/// a single Prometheus query).
pub fn current_thread() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// A runtime with `workers` threads, for many probes or requests at once.
pub fn multi_thread(workers: usize) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
}
