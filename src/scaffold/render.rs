//! A template rendered in memory: `.tera` files through tera (no HTML
//! escaping: these are source files), the rest as they are, every path
//! (which may use variables too) kept inside the package.

use super::{ScaffoldError, Template};

/// One file of the package, its path relative to the package root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where a template's files are shown in errors: `templates/<name>/files` for
/// a built-in, the folder for the user's own.
#[must_use]
pub fn files_root(template: &Template) -> String {
    if template.source == "built-in" {
        format!("templates/{}/files", template.name)
    } else {
        format!("{}/files", template.source.trim_end_matches('/'))
    }
}

/// Every file of `template` with `context`, sorted by path.
pub fn render(
    template: &Template,
    context: &serde_json::Value,
) -> Result<Vec<RenderedFile>, ScaffoldError> {
    let root = files_root(template);
    let context = tera::Context::from_serialize(context).map_err(|e| ScaffoldError::Render {
        file: root.clone(),
        message: e.to_string(),
    })?;
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    for file in template.files.iter().filter(|f| f.rendered()) {
        let text = String::from_utf8_lossy(&file.bytes);
        tera.add_raw_template(&file.path, &text)
            .map_err(|e| located(&root, &file.path, &e))?;
    }
    let mut out = Vec::new();
    for file in &template.files {
        let shown = format!("{root}/{}", file.path);
        let mut path = if file.path.contains("{{") {
            tera.render_str(&file.path, &context, false)
                .map_err(|e| ScaffoldError::Render {
                    file: shown.clone(),
                    message: format!("its path: {}", first_line(&e)),
                })?
        } else {
            file.path.clone()
        };
        let bytes = if file.rendered() {
            path.truncate(path.len() - ".tera".len());
            tera.render(&file.path, &context)
                .map_err(|e| located(&root, &file.path, &e))?
                .into_bytes()
        } else {
            file.bytes.clone()
        };
        if !inside(&path) {
            return Err(ScaffoldError::Outside { file: shown, path });
        }
        out.push(RenderedFile { path, bytes });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A relative path with no `..`, empty or absolute parts.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A tera error at its template's line and column (1-based).
fn located(root: &str, path: &str, error: &tera::Error) -> ScaffoldError {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            ScaffoldError::Syntax {
                file: format!("{root}/{path}"),
                line: report.span().start_line,
                column: report.span().start_col + 1,
                message: report.message().to_owned(),
            }
        }
        _ => ScaffoldError::Render {
            file: format!("{root}/{path}"),
            message: first_line(error),
        },
    }
}

fn first_line(error: &tera::Error) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::TemplateFile;

    fn template(files: &[(&str, &str)]) -> Template {
        let files = files
            .iter()
            .map(|(p, t)| TemplateFile {
                path: (*p).to_owned(),
                bytes: t.as_bytes().to_vec(),
            })
            .collect();
        Template::new("t", "built-in", "template.toml", "", files).unwrap()
    }

    #[test]
    fn tera_files_render_others_copy_and_raw_keeps_braces() {
        let t = template(&[
            (
                "src/{{ name }}.ts.tera",
                "export const port = {{ port }};\n",
            ),
            (
                "ci.yml.tera",
                "node: {{ node }}\nos: {% raw %}${{ matrix.os }}{% endraw %}\n",
            ),
            ("copied.yml", "x: ${{ secrets.TOKEN }} {{ name }}\n"),
        ]);
        let context = serde_json::json!({"name": "ai", "port": "4001", "node": "20"});
        let files = render(&t, &context).unwrap();
        let by_path: Vec<(&str, String)> = files
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    String::from_utf8_lossy(&f.bytes).into_owned(),
                )
            })
            .collect();
        assert_eq!(
            by_path,
            [
                ("ci.yml", "node: 20\nos: ${{ matrix.os }}\n".to_owned()),
                (
                    "copied.yml",
                    "x: ${{ secrets.TOKEN }} {{ name }}\n".to_owned()
                ),
                ("src/ai.ts", "export const port = 4001;\n".to_owned()),
            ]
        );
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let t = template(&[("a.ts.tera", "ok\n{% if port %}\nno end\n")]);
        let err = render(&t, &serde_json::json!({"port": "1"})).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("templates/t/files/a.ts.tera:"), "{text}");
        let ScaffoldError::Syntax { line, .. } = err else {
            panic!("{text}")
        };
        assert!(line >= 2, "{text}");
    }

    #[test]
    fn a_path_that_leaves_the_package_is_refused() {
        for path in ["../x.ts", "{{ name }}/../../x", "/etc/x", "a//b"] {
            let t = template(&[(path, "x")]);
            let err = render(&t, &serde_json::json!({"name": ".."})).unwrap_err();
            assert!(
                matches!(err, ScaffoldError::Outside { .. }),
                "{path}: {err}"
            );
        }
    }
}
