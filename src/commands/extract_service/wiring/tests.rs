use super::*;

const COMPOSE: &str = "# dev\nversion: \"3.8\"\n\nservices:\n  # the app\n  app:\n    image: app\n    environment:\n      - DATABASE_URL=postgresql://postgres@postgres:5432/dev\n      - REDIS_URL=redis://redis:6379\n\n  postgres:\n    image: postgres:16-alpine\n\n  redis:\n    image: redis:7-alpine # cache\n\n# named volumes\nvolumes:\n  data:\n";

fn service(db: bool, redis: bool) -> ComposeService<'static> {
    ComposeService {
        name: "ai",
        dir: "packages/ai",
        port: "4001",
        uses_database: db,
        uses_redis: redis,
    }
}

#[test]
fn the_compose_service_lands_at_the_end_of_services_and_comments_stay() {
    let out = compose(COMPOSE, "dc.yml", &service(true, true))
        .unwrap()
        .unwrap();
    for kept in [
        "# dev\n",
        "# the app\n",
        "# cache\n",
        "# named volumes\nvolumes:\n",
    ] {
        assert!(out.contains(kept), "{kept:?} lost:\n{out}");
    }
    let doc: serde_json::Value = serde_norway::from_str(&out).unwrap();
    let ai = &doc["services"]["ai"];
    assert_eq!(ai["build"]["context"], "./packages/ai");
    assert_eq!(ai["ports"][0], "4001:4001");
    assert_eq!(
        ai["environment"],
        serde_json::json!([
            "PORT=4001",
            "DATABASE_URL=postgresql://postgres@postgres:5432/dev",
            "REDIS_URL=redis://redis:6379"
        ])
    );
    assert_eq!(ai["depends_on"], serde_json::json!(["postgres", "redis"]));
    assert_eq!(ai["healthcheck"]["test"][3], "http://localhost:4001/health");
    assert!(out.find("  ai:").unwrap() < out.find("# named volumes").unwrap());
    // Already there: nothing to do.
    assert!(
        compose(&out, "dc.yml", &service(true, true))
            .unwrap()
            .is_none()
    );
    let plain = compose(COMPOSE, "dc.yml", &service(false, false))
        .unwrap()
        .unwrap();
    let doc: serde_json::Value = serde_norway::from_str(&plain).unwrap();
    assert!(doc["services"]["ai"].get("depends_on").is_none());
}

#[test]
fn workspaces_take_the_package_unless_a_pattern_does() {
    assert!(covered(&["packages/*".into()], "packages/ai"));
    assert!(!covered(&["apps/*".into()], "packages/ai"));
    let json = "{\n  \"name\": \"x\",\n  \"workspaces\": [\n    \"apps/*\"\n  ]\n}\n";
    assert_eq!(
        package_json_workspace(json, "packages/ai").unwrap(),
        "{\n  \"name\": \"x\",\n  \"workspaces\": [\n    \"apps/*\",\n    \"packages/ai\"\n  ]\n}\n"
    );
    let pnpm = "packages:\n  - 'apps/*'\n  # tools\n\ncatalog:\n  x: 1\n";
    assert_eq!(
        pnpm_workspace(pnpm, "packages/ai").unwrap(),
        "packages:\n  - 'apps/*'\n  # tools\n  - 'packages/ai'\n\ncatalog:\n  x: 1\n"
    );
    let cargo = "[workspace]\n# crates\nmembers = [\"a\"]\n";
    assert_eq!(
        cargo_workspace(cargo, "packages/ai").unwrap(),
        "[workspace]\n# crates\nmembers = [\"a\", \"packages/ai\"]\n"
    );
}

#[test]
fn tsconfig_paths_are_added_only_where_workspace_packages_are_mapped() {
    let text = "{\n  \"compilerOptions\": {\n    \"paths\": {\n      \"@/*\": [\"./src/*\"],\n      \"@s/core/*\": [\"../core/src/*\"]\n    }\n  }\n}\n";
    let names = vec!["@s/core".to_owned()];
    let out = tsconfig_paths(text, &names, "@s/ai", "../ai/src").unwrap();
    assert!(
        out.contains("\"@s/core/*\": [\"../core/src/*\"],\n      \"@s/ai\": [\"../ai/src\"],\n      \"@s/ai/*\": [\"../ai/src/*\"]\n"),
        "{out}"
    );
    assert!(tsconfig_paths(&out, &names, "@s/ai", "../ai/src").is_none());
    let aliases_only = "{\"compilerOptions\": {\"paths\": {\"@/*\": [\"src/*\"]}}}";
    assert!(tsconfig_paths(aliases_only, &names, "@s/ai", "x").is_none());
}
