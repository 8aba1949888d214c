//! The `skillsctl` binary: everything lives in the library, see `src/lib.rs`.

// A faster allocator for the many small, short-lived allocations of a tree walk.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    skillsctl::run()
}
