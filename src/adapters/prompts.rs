//! Questions for a person at a terminal. When nobody is there (no TTY on stdin or
//! stderr, `--yes`, or `CI` set) every question takes its default, so scripts and
//! pipelines never hang.

use std::io::IsTerminal;

/// Asks questions on a terminal, or answers them with their defaults.
#[derive(Debug, Clone, Copy)]
pub struct Prompter {
    interactive: bool,
}

impl Prompter {
    /// Interactive only with a terminal on stdin and stderr, outside CI, and
    /// without `--yes`.
    #[must_use]
    pub fn new(assume_yes: bool) -> Self {
        let in_ci =
            std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
        Prompter {
            interactive: !assume_yes
                && !in_ci
                && std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal(),
        }
    }

    #[must_use]
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// A yes/no question.
    pub fn confirm(&self, question: &str, default: bool) -> std::io::Result<bool> {
        if !self.interactive {
            return Ok(default);
        }
        dialoguer::Confirm::new()
            .with_prompt(question)
            .default(default)
            .interact()
            .map_err(std::io::Error::other)
    }

    /// A line of text with a default.
    pub fn input(&self, question: &str, default: &str) -> std::io::Result<String> {
        if !self.interactive {
            return Ok(default.to_owned());
        }
        dialoguer::Input::<String>::new()
            .with_prompt(question)
            .default(default.to_owned())
            .interact_text()
            .map_err(std::io::Error::other)
    }
}
