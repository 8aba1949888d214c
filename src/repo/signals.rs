//! What a path or an import says about readiness: test files, and code that
//! logs, traces or exports metrics. Shared by analyze-boundaries (readiness)
//! and extract-service (what moves with a domain). Pure.

/// A test file: `*.test.*`, `*.spec.*`, `_test.go`, or under `__tests__/`,
/// `test/`, `tests/`, `e2e/` (at any depth).
#[must_use]
pub fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || path
            .split('/')
            .rev()
            .skip(1)
            .any(|folder| matches!(folder, "__tests__" | "test" | "tests" | "e2e"))
}

/// npm packages for logging, metrics, tracing and error reporting.
const MONITORING_PACKAGES: &[&str] = &[
    "pino",
    "winston",
    "bunyan",
    "loglevel",
    "prom-client",
    "dd-trace",
    "newrelic",
    "@vercel/otel",
    "hot-shots",
    "statsd-client",
];

/// npm scopes whose packages all monitor (`@sentry/nextjs`, `@opentelemetry/api`, …).
const MONITORING_SCOPES: &[&str] = &[
    "@sentry",
    "@opentelemetry",
    "@axiomhq",
    "@logtail",
    "@datadog",
    "@google-cloud/logging",
    "@aws-lambda-powertools",
];

/// A package that logs, traces or exports metrics.
#[must_use]
pub fn is_monitoring_package(name: &str) -> bool {
    MONITORING_PACKAGES.contains(&name)
        || MONITORING_SCOPES
            .iter()
            .any(|scope| name == *scope || name.starts_with(&format!("{scope}/")))
}

/// File stems of a project's own logger, metrics or tracing module.
const MONITORING_STEMS: &[&str] = &[
    "logger",
    "logging",
    "log",
    "metrics",
    "telemetry",
    "tracing",
    "tracer",
    "monitoring",
    "instrumentation",
    "observability",
    "sentry",
];

/// A project file that is its logger, metrics or tracing module
/// (`lib/logger.ts`, `middleware/logging.ts`, `src/metrics/index.ts`).
#[must_use]
pub fn is_monitoring_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = if stem == "index" {
        parts.next().unwrap_or(stem)
    } else {
        stem
    };
    MONITORING_STEMS.contains(&stem.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_by_name_and_folder() {
        for path in [
            "src/ai/ranking.test.ts",
            "src/ai/ranking.spec.tsx",
            "src/ai/__tests__/ranking.ts",
            "packages/core/tests/ai/ranking.ts",
            "e2e/login.ts",
            "svc/handler_test.go",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in ["src/ai/testing-utils.ts", "src/contest/entry.ts", "tests"] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn monitoring_by_package_and_module() {
        assert!(is_monitoring_package("@sentry/nextjs"));
        assert!(is_monitoring_package("pino"));
        assert!(!is_monitoring_package("@sentryx/a"));
        assert!(!is_monitoring_package("zod"));
        assert!(is_monitoring_path("packages/core/src/lib/logger.ts"));
        assert!(is_monitoring_path("src/middleware/logging.ts"));
        assert!(is_monitoring_path("src/metrics/index.ts"));
        assert!(!is_monitoring_path("src/ai/catalog.ts"));
    }
}
