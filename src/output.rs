//! The only module that prints. Reports go to stdout, as a table for people or as
//! JSON with `--format json`; diagnostics and progress go to stderr. Colour follows
//! `--color`, `NO_COLOR` and `CLICOLOR_FORCE`; tables are sized to the terminal and
//! plain when stdout is not one.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

pub use crate::format::{ColorChoice, Format};

use crate::exit::Outcome;

/// A report a command produces: serialisable for `--format json`, renderable for people.
pub trait Report: Serialize {
    /// The human rendering, written to stdout as is.
    fn render_human(&self, style: &Styler) -> String;

    /// Renderings in the other formats (`markdown`, `mermaid`, `dot`); `None`
    /// when the report has no such rendering.
    fn render_alternate(&self, _format: Format) -> Option<String> {
        None
    }

    /// Whether the report holds failures (exit 1).
    fn outcome(&self) -> Outcome {
        Outcome::Success
    }
}

/// Colours and tables for one stream.
#[derive(Debug, Clone)]
pub struct Styler {
    color: bool,
    terminal_width: Option<u16>,
}

/// Semantic styles, so commands say what a thing is, not which colour it has.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Bad,
    Warn,
    Dim,
    Strong,
}

impl Styler {
    /// A styler that never colours and never wraps: for tests and plain files.
    #[must_use]
    pub fn plain() -> Self {
        Styler {
            color: false,
            terminal_width: None,
        }
    }

    /// Paints `text` in `tone` when colour is on.
    #[must_use]
    pub fn paint(&self, tone: Tone, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let style = match tone {
            Tone::Good => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Tone::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Tone::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Tone::Dim => Style::new().dimmed(),
            Tone::Strong => Style::new().bold(),
        };
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    /// A table with the given header: borders and wrapping on a terminal, plain
    /// space-separated columns otherwise.
    #[must_use]
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        if let Some(width) = self.terminal_width {
            table.load_preset(presets::UTF8_FULL_CONDENSED);
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        } else {
            table.load_preset(presets::NOTHING);
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        table.set_header(header.iter().map(|h| self.paint(Tone::Strong, h)));
        table
    }

    /// Renders a table, trimming the trailing spaces plain tables leave behind.
    #[must_use]
    pub fn render_table(&self, table: &Table) -> String {
        let mut text = String::new();
        for line in table.lines() {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// Global output settings after flags, environment and config are resolved.
#[derive(Debug, Clone)]
pub struct Output {
    format: Format,
    quiet: bool,
    progress: bool,
    /// JSON is indented for a person at a terminal, one line for a program.
    pretty_json: bool,
    stdout_style: Styler,
    stderr_style: Styler,
}

/// The pieces `Output::new` needs, resolved by the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputSettings {
    pub format: Format,
    pub color: ColorChoice,
    pub quiet: bool,
    pub progress: bool,
}

impl Output {
    #[must_use]
    pub fn new(settings: OutputSettings) -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        // A pseudo-terminal may report no size (0 columns): draw unwrapped then.
        let width = if stdout_tty {
            terminal_width().filter(|w| *w >= 40)
        } else {
            None
        };
        Output {
            format: settings.format,
            quiet: settings.quiet,
            progress: settings.progress && stderr_tty && !settings.quiet,
            pretty_json: stdout_tty,
            stdout_style: Styler {
                color: use_color(settings.color, stdout_tty),
                terminal_width: width,
            },
            stderr_style: Styler {
                color: use_color(settings.color, stderr_tty),
                terminal_width: None,
            },
        }
    }

    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether progress bars and spinners may be drawn (stderr is a terminal,
    /// neither `--no-progress` nor `--quiet` was given).
    #[must_use]
    pub fn progress_enabled(&self) -> bool {
        self.progress
    }

    #[must_use]
    pub fn stderr_styler(&self) -> &Styler {
        &self.stderr_style
    }

    /// Prints a report in the chosen format and returns its outcome.
    pub fn emit<R: Report>(&self, report: &R) -> anyhow::Result<Outcome> {
        append_step_summary(report);
        match self.format {
            Format::Json => write_json(report, self.pretty_json)?,
            Format::Table => write_stdout(report.render_human(&self.stdout_style).as_bytes()),
            other => {
                let text = report.render_alternate(other).ok_or_else(|| {
                    crate::exit::UsageError::new(format!(
                        "--format {} is not available for this command (use table or json)",
                        format!("{other:?}").to_lowercase()
                    ))
                })?;
                write_stdout(text.as_bytes());
            }
        }
        Ok(report.outcome())
    }

    /// Prints a report for one round of a repeating command: compact JSON on one
    /// line (so `--watch --format json` is a stream of documents), or the table.
    pub fn emit_round<R: Report>(&self, report: &R) -> anyhow::Result<Outcome> {
        match self.format {
            Format::Json => {
                let mut text = serde_json::to_string(report)?;
                text.push('\n');
                write_stdout(text.as_bytes());
            }
            _ => write_stdout(report.render_human(&self.stdout_style).as_bytes()),
        }
        Ok(report.outcome())
    }

    /// One spinner per item on a terminal; nothing otherwise (callers then
    /// report state changes with [`Output::status`]).
    #[must_use]
    pub fn spinners(&self, labels: &[String]) -> Spinners {
        if !self.progress {
            return Spinners {
                bars: Vec::new(),
                _multi: None,
            };
        }
        let multi =
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let width = labels.iter().map(String::len).max().unwrap_or(0);
        let style = indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {{prefix:{width}}} {{msg}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        let bars = labels
            .iter()
            .map(|label| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(label.clone());
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            })
            .collect();
        Spinners {
            bars,
            _multi: Some(multi),
        }
    }

    /// A progress bar on stderr for `total` items; a no-op when progress is off.
    #[must_use]
    pub fn bar(&self, total: u64, label: &str) -> Bar {
        if !self.progress {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        let style = indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
        )
        .map_or_else(
            |_| indicatif::ProgressStyle::default_bar(),
            |s| s.progress_chars("=> "),
        );
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(Some(bar))
    }

    /// Writes raw bytes (a completion script, a man page) to stdout.
    pub fn raw(&self, bytes: &[u8]) {
        write_stdout(bytes);
    }

    /// A cargo-style status line on stderr: `    Wrote skillsctl.toml`.
    pub fn status(&self, verb: &str, message: &str) {
        if !self.quiet {
            eprintln!(
                "{:>12} {message}",
                self.stderr_style.paint(Tone::Good, verb)
            );
        }
    }

    /// A note on stderr, hidden by `--quiet`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", self.stderr_style.paint(Tone::Dim, "note:"));
        }
    }

    /// A warning on stderr; shown even with `--quiet`.
    pub fn warn(&self, message: &str) {
        eprintln!(
            "{} {message}",
            self.stderr_style.paint(Tone::Warn, "warning:")
        );
    }

    /// An error on stderr with its causes; shown even with `--quiet`.
    pub fn error(&self, err: &anyhow::Error) {
        print_error(&self.stderr_style, err);
    }
}

/// A live progress bar on stderr; a no-op when progress is off. Cheap to
/// clone and safe to move to other threads.
#[derive(Clone)]
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// One more item done, with a short message (the item's name).
    pub fn inc(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_owned());
            bar.inc(1);
        }
    }

    /// Removes the bar from the screen.
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Live spinners on stderr, one per item; a no-op when progress is off.
pub struct Spinners {
    bars: Vec<indicatif::ProgressBar>,
    _multi: Option<indicatif::MultiProgress>,
}

impl Spinners {
    /// Whether spinners are drawn (so state-change lines are not needed).
    #[must_use]
    pub fn active(&self) -> bool {
        !self.bars.is_empty()
    }

    pub fn set(&self, index: usize, message: &str) {
        if let Some(bar) = self.bars.get(index) {
            bar.set_message(message.to_owned());
        }
    }

    /// Stops one spinner, leaving its final message.
    pub fn finish(&self, index: usize, message: &str) {
        if let Some(bar) = self.bars.get(index) {
            bar.finish_with_message(message.to_owned());
        }
    }

    /// Removes every spinner from the screen.
    pub fn clear(&self) {
        for bar in &self.bars {
            bar.finish_and_clear();
        }
    }
}

/// Prints an error and its cause chain on stderr, masking any URL credentials.
pub fn print_error(style: &Styler, err: &anyhow::Error) {
    let mut causes = err.chain();
    let head = causes.next().map(ToString::to_string).unwrap_or_default();
    let mut text = format!(
        "{} {}\n",
        style.paint(Tone::Bad, "error:"),
        crate::redact::text(&head, &[])
    );
    let mut previous = head;
    for cause in causes {
        let message = cause.to_string();
        // thiserror variants often repeat their source in their own message.
        if previous.contains(&message) {
            continue;
        }
        let _ = writeln!(text, "  caused by: {}", crate::redact::text(&message, &[]));
        previous = message;
    }
    eprint!("{text}");
}

/// Prints a usage error raised before an `Output` exists (clap or config).
pub fn print_early_error(err: &anyhow::Error) {
    let color = use_color(ColorChoice::Auto, std::io::stderr().is_terminal());
    print_error(
        &Styler {
            color,
            terminal_width: None,
        },
        err,
    );
}

/// Streams a report as JSON to stdout: no copy of the whole document in memory
/// (a large report is megabytes), indented only when `pretty`.
fn write_json<R: Serialize>(report: &R, pretty: bool) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = if pretty {
        serde_json::to_writer_pretty(&mut out, report)
    } else {
        serde_json::to_writer(&mut out, report)
    }
    .map_err(std::io::Error::from)
    .and_then(|()| out.write_all(b"\n"))
    .and_then(|()| out.flush());
    match written {
        // A closed pipe (`skillsctl … | head`) is not an error worth reporting.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn write_stdout(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`skillsctl … | head`) is not an error worth reporting.
    if let Err(err) = stdout.write_all(bytes).and_then(|()| stdout.flush())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to stdout: {err}");
    }
}

/// On GitHub Actions (`GITHUB_STEP_SUMMARY` names a file), the report's
/// Markdown, or its plain table in a code block, is appended to the job's
/// summary page. A summary that cannot be written is not worth failing for.
fn append_step_summary<R: Report>(report: &R) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = report
        .render_alternate(Format::Markdown)
        .unwrap_or_else(|| format!("```text\n{}```\n", report.render_human(&Styler::plain())));
    let Ok(mut file) = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
    else {
        return;
    };
    let _ = std::io::Write::write_all(&mut file, format!("{text}\n").as_bytes());
}

/// Decides colour for a stream: `--color` wins, then `NO_COLOR`, then
/// `CLICOLOR_FORCE`, then whether the stream is a terminal.
#[must_use]
pub fn use_color(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
            {
                true
            } else {
                is_tty && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

fn terminal_width() -> Option<u16> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(cols);
    }
    comfy_table::Table::new().width()
}
