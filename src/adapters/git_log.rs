//! A saved `git log`, for history from a CI artifact or another machine, in
//! the formats code-maat reads:
//!
//! ```text
//! git log --no-merges --no-renames --numstat --date=short --pretty=format:'--%h--%ad--%aN'
//! git log --no-merges --no-renames --name-only --date=short --pretty=format:'--%h--%ad--%aN'
//! git log --no-merges --no-renames --numstat --date=short --pretty=format:'[%h] %aN %ad %s'
//! ```
//!
//! A header starts each commit: `--hash--date--author` (code-maat's `git2`)
//! or `[hash] author date subject` (its older `git`). The author may carry
//! an e-mail (`%aN <%aE>`); the date is `YYYY-MM-DD`, ISO 8601 with a time
//! and offset (`--date=iso-strict`, `--date=iso`) or Unix seconds
//! (`--date=unix`). File lines follow: `added<TAB>deleted<TAB>path` with
//! `--numstat` (`-` for binary files), the bare path with `--name-only`.
//! Blank lines separate commits. Paths are relative to the analysed folder,
//! as `git log --relative` run in that folder gives them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::git::CommitRecord;

#[derive(Debug, thiserror::Error)]
pub enum GitLogError {
    #[error("cannot read the git log {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Calls `on_commit` for every commit in the log at `path`, in file order.
pub fn read(path: &Path, mut on_commit: impl FnMut(CommitRecord)) -> Result<(), GitLogError> {
    let read_error = |source| GitLogError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut current: Option<CommitRecord> = None;
    for (n, line) in BufReader::with_capacity(1 << 16, file).lines().enumerate() {
        let line = line.map_err(read_error)?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let at = |column: usize, message: String| GitLogError::Syntax {
            path: path.to_path_buf(),
            line: n + 1,
            column,
            message,
        };
        match parse_line(line).map_err(|(column, message)| at(column, message))? {
            Line::Header(commit) => {
                if let Some(done) = current.replace(commit) {
                    on_commit(done);
                }
            }
            Line::File(file) => match current.as_mut() {
                Some(commit) => commit.files.push(file.to_owned()),
                None => {
                    return Err(at(
                        1,
                        "a file before any commit header; expected `--hash--date--author` \
                         (git log --pretty=format:'--%h--%ad--%aN')"
                            .into(),
                    ));
                }
            },
        }
    }
    if let Some(done) = current {
        on_commit(done);
    }
    Ok(())
}

/// One line of the log.
enum Line<'a> {
    Header(CommitRecord),
    File(&'a str),
}

/// A line as a header or a file; an error is (1-based column, message).
fn parse_line(line: &str) -> Result<Line<'_>, (usize, String)> {
    if let Some(rest) = line.strip_prefix("--") {
        // `--hash--date--author`: the author may itself hold `--`.
        let mut parts = rest.splitn(3, "--");
        let (Some(hash), Some(date), Some(author)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err((1, "expected `--hash--date--author`".into()));
        };
        if is_hash(hash) {
            let column = hash.len() + 5;
            return header(author, date, column).map(Line::Header);
        }
    }
    if let Some(rest) = line.strip_prefix('[')
        && let Some((hash, rest)) = rest.split_once("] ")
        && is_hash(hash)
    {
        // `[hash] author date subject`: the date is the first word that reads as
        // a calendar date (a name may hold digits, never a dash-separated date).
        let words: Vec<&str> = rest.split(' ').collect();
        let Some(at) = words
            .iter()
            .position(|w| w.contains('-') && parse_date(w).is_some())
        else {
            return Err((
                hash.len() + 4,
                "expected `[hash] author YYYY-MM-DD subject`".into(),
            ));
        };
        let author = words[..at].join(" ");
        let column = hash.len() + 4 + words[..at].iter().map(|w| w.len() + 1).sum::<usize>();
        return header(&author, words[at], column).map(Line::Header);
    }
    Ok(Line::File(file_of(line)))
}

/// The path of a file line: `--numstat`'s third column, else the line.
fn file_of(line: &str) -> &str {
    let mut columns = line.splitn(3, '\t');
    match (columns.next(), columns.next(), columns.next()) {
        (Some(added), Some(deleted), Some(path)) if is_count(added) && is_count(deleted) => path,
        _ => line,
    }
}

fn is_count(column: &str) -> bool {
    column == "-" || (!column.is_empty() && column.bytes().all(|b| b.is_ascii_digit()))
}

fn is_hash(text: &str) -> bool {
    (4..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A commit from its author (`name` or `name <email>`) and date text, whose
/// column the error names.
fn header(author: &str, date: &str, column: usize) -> Result<CommitRecord, (usize, String)> {
    let unix_time = parse_date(date).ok_or_else(|| {
        (
            column,
            format!("cannot read the date {date:?}: expected YYYY-MM-DD, ISO 8601 or Unix seconds"),
        )
    })?;
    let author = author.trim();
    let (name, email) = match author.rsplit_once(" <") {
        Some((name, email)) if email.ends_with('>') => {
            (name.trim(), email.trim_end_matches('>').trim())
        }
        _ => (author, ""),
    };
    Ok(CommitRecord {
        author_name: name.to_owned(),
        author_email: email.to_owned(),
        unix_time,
        files: Vec::new(),
    })
}

/// Unix seconds from `YYYY-MM-DD` (midnight UTC), RFC 3339 / ISO 8601 with
/// a time and an offset (`T` or a space between), or plain seconds.
fn parse_date(text: &str) -> Option<i64> {
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let day = text.get(..10)?;
    let mut parts = day.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let date: u32 = parts.next()?.parse().ok()?;
    if day.len() != 10 || !(1..=12).contains(&month) || !(1..=31).contains(&date) {
        return None;
    }
    let midnight = days_from_civil(year, month, date) * 86_400;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(midnight);
    }
    let time = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let clock = time.get(..8)?;
    let mut hms = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let offset = time[8..].trim_start();
    let offset_seconds = match offset {
        "" | "Z" => 0,
        _ => {
            let sign = match offset.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits[2..].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(midnight + h * 3600 + m * 60 + s - offset_seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commits(text: &str) -> Result<Vec<CommitRecord>, GitLogError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.log");
        std::fs::write(&path, text).unwrap();
        let mut out = Vec::new();
        read(&path, |c| out.push(c))?;
        Ok(out)
    }

    #[test]
    fn code_maat_git2_numstat_and_name_only() {
        let log = "--586b4eb--2024-06-15--Ada Lovelace\n\
                   35\t0\tpackages/app/src/a.ts\n\
                   -\t-\tpackages/app/logo.png\n\
                   \n\
                   --11aa22b--2024-06-14--Grace Hopper <grace@example.com>\n\
                   packages/ai/src/b.ts\n";
        let got = commits(log).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].author_name, "Ada Lovelace");
        assert_eq!(got[0].author_email, "");
        assert_eq!(
            got[0].files,
            ["packages/app/src/a.ts", "packages/app/logo.png"]
        );
        assert_eq!(got[0].unix_time, 1_718_409_600);
        assert_eq!(got[1].author_name, "Grace Hopper");
        assert_eq!(got[1].author_email, "grace@example.com");
        assert_eq!(got[1].files, ["packages/ai/src/b.ts"]);
    }

    #[test]
    fn code_maat_legacy_headers_and_other_dates() {
        let log = "[990442e] Adam Petersen 2013-11-10 Documented the code\n\
                   1\t1\tREADME.md\n\
                   --abcd--2024-06-15T10:00:00+02:00--Ann\n\
                   a.ts\n\
                   --abce--1718409600--Bo\n\
                   b.ts\n";
        let got = commits(log).unwrap();
        assert_eq!(got[0].author_name, "Adam Petersen");
        assert_eq!(got[0].unix_time, 1_384_041_600);
        assert_eq!(got[0].files, ["README.md"]);
        assert_eq!(got[1].unix_time, 1_718_409_600 + 8 * 3600);
        assert_eq!(got[2].unix_time, 1_718_409_600);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let err = commits("a.ts\n").unwrap_err().to_string();
        assert!(
            err.ends_with(
                "history.log:1:1: a file before any commit header; expected `--hash--date--author` \
             (git log --pretty=format:'--%h--%ad--%aN')"
            ),
            "{err}"
        );
        let err = commits("--586b4eb--2024-13-01--Ann\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("history.log:1:12: cannot read the date \"2024-13-01\""),
            "{err}"
        );
    }
}
