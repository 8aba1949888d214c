//! The expectations on hand-made responses.

use super::*;

fn response(status: u16, headers: &[(&str, &str)], body: &str, ms: u64) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
        truncated: false,
        elapsed: Duration::from_millis(ms),
    }
}

fn header(name: &str, test: HeaderTest) -> HeaderRule {
    HeaderRule {
        name: name.into(),
        test,
    }
}

fn json(path: &str, tests: Vec<JsonTest>) -> JsonRule {
    JsonRule {
        path: path.parse().unwrap(),
        tests,
    }
}

#[test]
fn everything_holds_on_a_good_response() {
    let r = response(
        200,
        &[
            ("Cache-Control", "public, max-age=300"),
            ("X-Total-Count", "2"),
        ],
        r#"{"skills":[{"name":"Rust"},{"name":"Go"}]}"#,
        20,
    );
    let expect = Expectations {
        status: Some("2xx".parse().unwrap()),
        headers: vec![
            header(
                "cache-control",
                HeaderTest::Equals("public, max-age=300".into()),
            ),
            header("Cache-Control", HeaderTest::Contains("max-age".into())),
            header(
                "X-Total-Count",
                HeaderTest::Matches("^\\d+$".parse().unwrap()),
            ),
            header("x-total-count", HeaderTest::Exists),
        ],
        json: vec![json(
            "$.skills[*].name",
            vec![
                JsonTest::Equals("Go".into()),
                JsonTest::Matches("^R".parse().unwrap()),
            ],
        )],
        body: Some("skills".parse().unwrap()),
        max_latency: Some(Duration::from_millis(200)),
        ..Expectations::default()
    };
    assert!(check(&r, &expect).is_empty());
}

#[test]
fn each_failure_names_expected_actual_and_source() {
    let r = response(
        503,
        &[
            ("Cache-Control", "no-store"),
            ("Authorization", "Bearer s3cret"),
        ],
        r#"{"status":"down","n":"8"}"#,
        350,
    );
    let expect = Expectations {
        status: Some("200".parse().unwrap()),
        headers: vec![
            header("X-Total-Count", HeaderTest::Exists),
            header(
                "Cache-Control",
                HeaderTest::Equals("public, max-age=300".into()),
            ),
            header(
                "Authorization",
                HeaderTest::Matches("^Basic".parse().unwrap()),
            ),
        ],
        json: vec![
            json("$.status", vec![JsonTest::Equals("up".into())]),
            json("$.n", vec![JsonTest::Equals(8.into())]),
            json("$.missing", vec![]),
        ],
        body: None,
        max_latency: Some(Duration::from_millis(200)),
        ..Expectations::default()
    };
    let failures = check(&r, &expect);
    let lines: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "expected 200",
            "header X-Total-Count missing",
            "header Cache-Control = \"no-store\", expected \"public, max-age=300\"",
            "header Authorization = \"***\" does not match /^Basic/",
            "$.status is \"down\", expected \"up\"",
            "$.n is \"8\", expected 8",
            "$.missing matched nothing",
            "took 350ms, budget 200ms",
        ]
    );
    assert_eq!(failures[0].actual, Actual::Status(503));
    assert_eq!(failures[2].source, Source::Header("Cache-Control".into()));
    assert_eq!(failures[5].source, Source::JsonPath("$.n".into()));
    assert_eq!(failures[5].actual.to_string(), "\"8\"");
    assert_eq!(failures[5].expected.to_string(), "8");
    // A secret header's value never shows, in any rendering.
    let json = serde_json::to_string(&failures).unwrap();
    assert!(!json.contains("s3cret"), "{json}");
}

#[test]
fn a_body_that_is_not_json_fails_json_rules_once() {
    let r = response(200, &[], "<html>", 1);
    let expect = Expectations {
        json: vec![json("$.a", vec![]), json("$.b", vec![])],
        body: Some("^\\{".parse().unwrap()),
        ..Expectations::default()
    };
    let lines: Vec<String> = check(&r, &expect).iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["body does not match /^\\{/", "body is not JSON"]);
}

#[test]
fn the_first_failing_json_test_wins() {
    let value = serde_json::json!({"status": "ok"});
    let rule = json(
        "$.status",
        vec![
            JsonTest::Matches("^o".parse().unwrap()),
            JsonTest::Equals("up".into()),
        ],
    );
    let failure = check_json(&value, &rule).unwrap();
    assert!(matches!(failure.expected, Expected::JsonEquals(_)));
    let rule = json("$.status", vec![JsonTest::Matches("^u".parse().unwrap())]);
    assert_eq!(
        check_json(&value, &rule).unwrap().to_string(),
        "$.status is \"ok\", expected to match /^u/"
    );
}

#[test]
fn json_operators() {
    let value = serde_json::json!({
        "name": "Rust", "proficiency": 8, "score": 7.5, "tags": ["a", "b"],
        "meta": {"k": 1}, "none": null
    });
    let holds = |path: &str, tests: Vec<JsonTest>| check_json(&value, &json(path, tests)).is_none();
    assert!(holds(
        "$.name",
        vec![JsonTest::Contains("us".into()), JsonTest::Length(4)]
    ));
    assert!(holds(
        "$.tags",
        vec![
            JsonTest::Contains("b".into()),
            JsonTest::Type(JsonType::Array)
        ]
    ));
    assert!(holds(
        "$.meta",
        vec![JsonTest::Contains("k".into()), JsonTest::Length(1)]
    ));
    assert!(holds(
        "$.proficiency",
        vec![
            JsonTest::Type(JsonType::Integer),
            JsonTest::Type(JsonType::Number),
            JsonTest::Compare(Comparison::GreaterOrEqual, 0.0),
            JsonTest::Compare(Comparison::Less, 10.0),
        ]
    ));
    assert!(holds("$.none", vec![JsonTest::Type(JsonType::Null)]));
    assert!(holds("$.absent", vec![JsonTest::Exists(false)]));
    assert!(holds("$.name", vec![JsonTest::Exists(true)]));
    let fails = |path: &str, tests: Vec<JsonTest>| {
        check_json(&value, &json(path, tests)).map(|f| f.to_string())
    };
    assert_eq!(
        fails("$.score", vec![JsonTest::Type(JsonType::Integer)]).unwrap(),
        "$.score is 7.5, expected a value of type integer"
    );
    assert_eq!(
        fails(
            "$.proficiency",
            vec![JsonTest::Compare(Comparison::Greater, 8.0)]
        )
        .unwrap(),
        "$.proficiency is 8, expected > 8"
    );
    assert_eq!(
        fails("$.tags", vec![JsonTest::Length(3)]).unwrap(),
        "$.tags is [\"a\",\"b\"], expected length 3"
    );
    assert_eq!(
        fails("$.name", vec![JsonTest::Exists(false)]).unwrap(),
        "$.name is \"Rust\", expected nothing there"
    );
    assert_eq!(
        fails("$.name", vec![JsonTest::Compare(Comparison::Less, 1.0)]).unwrap(),
        "$.name is \"Rust\", expected < 1"
    );
}

#[test]
fn an_object_that_differs_comes_with_a_diff_by_path() {
    let value = serde_json::json!({"skills": [{"proficiency": 8}, {"proficiency": "8"}]});
    let rule = json(
        "$",
        vec![JsonTest::Equals(
            serde_json::json!({"skills": [{"proficiency": 8}, {"proficiency": 8}]}),
        )],
    );
    let failure = check_json(&value, &rule).unwrap();
    assert_eq!(
        failure.diff(),
        ["$.skills[1].proficiency: expected 8, got \"8\""]
    );
}

#[test]
fn body_contains_and_schema() {
    let r = response(200, &[], r#"{"name":"Rust","proficiency":"8"}"#, 1);
    let schema = schema::Schema::new(&serde_json::json!({
        "type": "object",
        "required": ["name", "proficiency", "id"],
        "properties": {"proficiency": {"type": "integer"}}
    }))
    .unwrap();
    let expect = Expectations {
        body_contains: Some("Go".into()),
        schema: Some(std::sync::Arc::new(schema)),
        ..Expectations::default()
    };
    let lines: Vec<String> = check(&r, &expect).iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "body does not contain \"Go\"");
    assert!(
        lines[1].starts_with("body does not match the schema: "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("/proficiency"), "{}", lines[1]);
    assert!(lines[1].contains("\"id\""), "{}", lines[1]);
}
