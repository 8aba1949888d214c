//! Debian's headless Chromium, for the HTML reports: the DOM it builds from a
//! file and a screenshot of the page. Each call has a profile of its own in
//! the test's temp dir, so parallel tests never share one.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium(dir: &Path, page: &Path, action: &[&str]) -> std::process::Output {
    let profile = dir.join("chromium-profile");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(action)
        .arg(format!("file://{}", page.display()))
        .current_dir(dir)
        .output()
        .expect("chromium runs (.ci/run installs Debian's chromium)");
    assert!(
        out.status.success(),
        "chromium {action:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The page's DOM as Chromium parsed it.
pub fn dump_dom(dir: &Path, page: &Path) -> String {
    String::from_utf8(chromium(dir, page, &["--dump-dom"]).stdout).expect("the DOM is UTF-8")
}

/// A PNG screenshot of the page, 1400 px wide, saved in `dir`.
pub fn screenshot(dir: &Path, page: &Path) -> PathBuf {
    let png = dir.join("screenshot.png");
    let target = format!("--screenshot={}", png.display());
    chromium(dir, page, &[&target, "--window-size=1400,2400"]);
    png
}
