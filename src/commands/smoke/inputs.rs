//! What a smoke run is given: the suite files (arguments, globs, or
//! `[smoke] suites`), the variables (`--var`, `--secret-var`, `--vars-file`)
//! and the loaded suites, every one checked before anything is sent.

use std::path::{Path, PathBuf};

use super::SmokeArgs;
use crate::adapters::fs::{self as afs, FsError};
use crate::context::Context;
use crate::exit::UsageError;
use crate::suite::model::Var;
use crate::suite::parse::{LoadOptions, SuiteError, SuiteErrors};
use crate::suite::{Suite, parse};

/// The suite files, in the order given; globs expand in path order.
pub fn suite_files(args: &SmokeArgs, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let (patterns, base) = if args.suites.is_empty() {
        (
            ctx.config.config.smoke.suites.clone(),
            ctx.config.root.clone(),
        )
    } else {
        (args.suites.clone(), ctx.cwd.clone())
    };
    if patterns.is_empty() {
        return Err(UsageError::new(
            "no suites: pass suite files (skillsctl smoke smoke/api.toml) or set [smoke] suites in skillsctl.toml",
        )
        .into());
    }
    let mut files = Vec::new();
    for pattern in &patterns {
        let full = base.join(pattern);
        if !pattern.contains(['*', '?', '[']) {
            files.push(shown(&full, &ctx.cwd));
            continue;
        }
        let matched: Vec<PathBuf> = glob::glob(&full.to_string_lossy())
            .map_err(|e| UsageError::new(format!("`{pattern}` is not a valid glob ({e})")))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        if matched.is_empty() {
            return Err(UsageError::new(format!("`{pattern}` matches no file")).into());
        }
        files.extend(matched.iter().map(|p| shown(p, &ctx.cwd)));
    }
    files.dedup();
    Ok(files)
}

/// A path relative to the working directory when it is under it.
fn shown(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// `--vars-file` first, then `--var`, then `--secret-var`: later ones win.
pub fn variables(args: &SmokeArgs, ctx: &Context) -> anyhow::Result<Vec<Var>> {
    let mut vars = Vec::new();
    if let Some(file) = &args.vars_file {
        let path = ctx.cwd.join(file);
        let text = afs::read_to_string(&path)?;
        vars.extend(vars_file(&text, &file.display().to_string())?);
    }
    for (list, secret) in [(&args.vars, false), (&args.secret_vars, true)] {
        for arg in list {
            let (name, value) = arg.split_once('=').filter(|(n, _)| is_name(n)).ok_or_else(
                || {
                    let flag = if secret { "--secret-var" } else { "--var" };
                    let shown = arg.split_once('=').map_or(arg.as_str(), |(n, _)| n);
                    UsageError::new(format!(
                        "{flag} `{shown}`: write NAME=VALUE (NAME: letters, digits, `_`, `-`, `.`)"
                    ))
                },
            )?;
            vars.push(Var {
                name: name.to_owned(),
                value: value.to_owned(),
                secret,
            });
        }
    }
    Ok(vars)
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `name = "value"` TOML (a `.toml` file), else `NAME=VALUE` lines with `#`
/// comments, as a `.env` file has them.
fn vars_file(text: &str, shown: &str) -> anyhow::Result<Vec<Var>> {
    let is_toml = std::path::Path::new(shown)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if is_toml {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| crate::config::span::line_col(text, s.start));
            UsageError::new(format!("{shown}:{line}:{column}: {}", e.message()))
        })?;
        return table
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
                        value.to_string()
                    }
                    _ => {
                        return Err(UsageError::new(format!(
                            "{shown}: `{name}` must be a string, number or boolean"
                        ))
                        .into());
                    }
                };
                Ok(Var {
                    name,
                    value,
                    secret: false,
                })
            })
            .collect();
    }
    let mut vars = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (name, value) = line
            .split_once('=')
            .filter(|(n, _)| is_name(n.trim()))
            .ok_or_else(|| {
                UsageError::new(format!("{shown}:{}:1: expected NAME=VALUE", index + 1))
            })?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        vars.push(Var {
            name: name.trim().to_owned(),
            value: value.to_owned(),
            secret: false,
        });
    }
    Ok(vars)
}

/// Loads every suite; all their errors are reported together, and nothing
/// runs while there is one.
pub fn load_suites(
    files: &[PathBuf],
    env: Option<&str>,
    vars: &[Var],
) -> anyhow::Result<Vec<Suite>> {
    let lookup = |name: &str| std::env::var(name).ok();
    let mut suites = Vec::new();
    let mut errors: Vec<SuiteError> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|source| FsError::Read {
            path: file.clone(),
            source,
        })?;
        let options = LoadOptions {
            env,
            vars,
            lookup: &lookup,
        };
        match parse(&text, file, &options) {
            Ok(suite) => suites.push(suite),
            Err(err) => errors.push(err),
        }
    }
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(SuiteErrors(errors).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_and_toml_files() {
        let vars = vars_file(
            "# comment\nexport TOKEN=\"abc\"\nBASE = http://x\n\nq='1 2'\n",
            ".env",
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("TOKEN", "abc"), ("BASE", "http://x"), ("q", "1 2")]
        );
        let err = vars_file("A=1\nnot a pair\n", "ci.env").unwrap_err();
        assert_eq!(err.to_string(), "ci.env:2:1: expected NAME=VALUE");
        let vars = vars_file("token = \"t\"\nn = 3\n", "vars.toml").unwrap();
        assert_eq!((vars[0].value.as_str(), vars[1].value.as_str()), ("3", "t"));
        assert!(vars_file("t = [1]\n", "vars.toml").is_err());
        let err = vars_file("t = \n", "vars.toml").unwrap_err();
        assert!(err.to_string().starts_with("vars.toml:1:"), "{err}");
    }
}
