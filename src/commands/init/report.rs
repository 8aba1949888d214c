//! What `init` found and did, for people and for `--format json`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::adapters::fs::WriteEffect;
use crate::output::{Report, Styler, Tone};
use crate::repo::RepoLayout;

#[derive(Debug, Serialize)]
pub struct InitReport {
    /// The repository inspected.
    pub root: String,
    /// The config file written (or that would be, with --dry-run).
    pub config_path: String,
    pub effect: WriteEffect,
    /// The gateway file written beside it, when there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_effect: Option<WriteEffect>,
    pub detected: RepoLayout,
    /// The config text, included with --dry-run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

impl Report for InitReport {
    fn render_human(&self, style: &Styler) -> String {
        let d = &self.detected;
        let mut table = style.table(&["found", "where", "detail"]);
        if let Some(pm) = &d.package_manager {
            let patterns = if d.workspace_patterns.is_empty() {
                "no workspaces".to_owned()
            } else {
                format!("workspaces {}", d.workspace_patterns.join(", "))
            };
            table.add_row(vec![
                "package manager".to_owned(),
                ".".to_owned(),
                format!("{pm}, {patterns}"),
            ]);
        }
        for package in &d.packages {
            let mut detail = vec![package.kind.to_owned()];
            if let Some(name) = &package.name {
                detail.push(name.clone());
            }
            if package.next_app {
                detail.push(format!("Next.js, {} API routes", package.api_routes.len()));
            }
            table.add_row(vec![
                "package".to_owned(),
                package.path.clone(),
                detail.join(", "),
            ]);
        }
        if let Some(prisma) = &d.prisma {
            table.add_row(vec![
                "prisma schema".to_owned(),
                prisma.path.clone(),
                format!(
                    "{}, {} models",
                    prisma.provider.as_deref().unwrap_or("unknown provider"),
                    prisma.models.len()
                ),
            ]);
        }
        for migrations in &d.migrations {
            table.add_row(vec![
                "migrations".to_owned(),
                migrations.path.clone(),
                format!("{} ({:?} layout)", migrations.count, migrations.layout).to_lowercase(),
            ]);
        }
        for file in &d.compose {
            for service in &file.services {
                let port = service
                    .host_port
                    .map(|p| format!(", port {p}"))
                    .unwrap_or_default();
                table.add_row(vec![
                    "compose service".to_owned(),
                    format!("{}#{}", file.path, service.name),
                    format!("{:?}{port}", service.kind).to_lowercase(),
                ]);
            }
        }
        for (name, folders) in &d.domains {
            table.add_row(vec!["domain".to_owned(), name.clone(), folders.join(", ")]);
        }
        let mut text = style.render_table(&table);
        let verb = match self.effect {
            WriteEffect::Created => "wrote",
            WriteEffect::Replaced => "replaced",
            WriteEffect::WouldCreate => "would write",
            WriteEffect::WouldReplace => "would replace",
        };
        let _ = write!(
            text,
            "\n{} {} ({} packages, {} domains)\n",
            style.paint(Tone::Good, verb),
            self.config_path,
            d.packages.len(),
            d.domains.len()
        );
        if let (Some(path), Some(effect)) = (&self.gateway_path, self.gateway_effect) {
            let verb = if effect == WriteEffect::WouldCreate {
                "would write"
            } else {
                "wrote"
            };
            let _ = writeln!(
                text,
                "{} {path} (every domain internal)",
                style.paint(Tone::Good, verb)
            );
        }
        if let Some(config) = &self.config {
            text.push('\n');
            text.push_str(config);
        }
        text
    }
}
