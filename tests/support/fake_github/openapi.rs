//! GitHub's own description of the operations the fake serves (the vendored subset in
//! tests/fixtures/github-openapi/), turned into routes and JSON Schema validators.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::http::percent_decode;

/// One path or query parameter of an operation.
pub struct Parameter {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// One operation of the vendored subset.
pub struct Operation {
    pub method: String,
    pub template: String,
    pub id: String,
    pub parameters: Vec<Parameter>,
    request_schema: Option<Value>,
    responses: HashMap<u16, Value>,
    request_validator: OnceLock<Option<Arc<jsonschema::Validator>>>,
    response_validators: Mutex<HashMap<u16, Arc<jsonschema::Validator>>>,
}

/// Every operation of the subset, parsed once per process.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        spec()["operations"]
            .as_array()
            .expect("operations")
            .iter()
            .map(|operation| Operation {
                method: text(&operation["method"]),
                template: text(&operation["path"]),
                id: text(&operation["operationId"]),
                parameters: operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| Parameter {
                        name: text(&p["name"]),
                        location: text(&p["in"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        schema: p["schema"].clone(),
                    })
                    .collect(),
                request_schema: Some(operation["requestBodySchema"].clone())
                    .filter(|s| !s.is_null()),
                responses: operation["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(status, response)| Some((status.parse().ok()?, response.clone())))
                    .collect(),
                request_validator: OnceLock::new(),
                response_validators: Mutex::new(HashMap::new()),
            })
            .collect()
    })
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../../fixtures/github-openapi/github-rest-subset.json"
        ))
        .expect("vendored OpenAPI subset is JSON")
    })
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// The operation with this id (`pulls/create-review`); panics on a typo, which is a
/// bug in the fake.
pub fn operation(id: &str) -> &'static Operation {
    operations()
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no operation {id} in the vendored subset"))
}

/// The operation serving METHOD PATH, with the path parameters.
pub fn route(method: &str, path: &str) -> Option<(&'static Operation, HashMap<String, String>)> {
    operations().iter().find_map(|operation| {
        (operation.method == method)
            .then(|| match_template(&operation.template, path))
            .flatten()
            .map(|params| (operation, params))
    })
}

/// Matches `path` against an OpenAPI template; `{path}` may span slashes, as in the
/// contents API. `*` in the template matches one segment, like `{name}`.
pub fn match_template(template: &str, path: &str) -> Option<HashMap<String, String>> {
    let template_parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut values = HashMap::new();
    for (index, template_part) in template_parts.iter().enumerate() {
        let is_last = index == template_parts.len() - 1;
        let name = template_part
            .strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
            .or((*template_part == "*").then_some("*"));
        if let Some(name) = name {
            let value = if is_last && name == "path" {
                parts.get(index..).map(|rest| rest.join("/"))?
            } else {
                parts.get(index)?.to_string()
            };
            if value.is_empty() {
                return None;
            }
            values.insert(name.to_string(), percent_decode(&value, false));
        } else if parts.get(index) != Some(template_part) {
            return None;
        }
    }
    (template_parts.last().is_some_and(|p| *p == "{path}") || parts.len() == template_parts.len())
        .then_some(values)
}

/// OpenAPI 3.0's `nullable: true` as JSON Schema (see the subset's README): a typed node
/// gets `null` added to its type (and enum), an untyped one becomes `anyOf [node, null]`.
pub fn nullable_to_json_schema(schema: &mut Value) {
    match schema {
        Value::Array(items) => items.iter_mut().for_each(nullable_to_json_schema),
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                // Property names are data, not keywords: recurse into each property's
                // schema but never read a property called `nullable` as the keyword.
                if key == "properties" {
                    if let Value::Object(properties) = value {
                        properties.values_mut().for_each(nullable_to_json_schema);
                    }
                } else {
                    nullable_to_json_schema(value);
                }
            }
            if map.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(enum_values) = map.get_mut("enum").and_then(Value::as_array_mut)
                && !enum_values.contains(&Value::Null)
            {
                enum_values.push(Value::Null);
            }
            match map.get("type").cloned() {
                Some(Value::String(kind)) => {
                    map.insert("type".into(), serde_json::json!([kind, "null"]));
                }
                Some(_) => {}
                None => {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), serde_json::json!([inner, {"type": "null"}]));
                }
            }
        }
        _ => {}
    }
}

fn build_validator(schema: &Value) -> Arc<jsonschema::Validator> {
    let mut schema = schema.clone();
    nullable_to_json_schema(&mut schema);
    Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&schema)
            .expect("the vendored schemas are valid JSON Schema"),
    )
}

/// One reason a value does not match a schema: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

fn errors_of(validator: &jsonschema::Validator, value: &Value) -> Vec<SchemaError> {
    validator
        .iter_errors(value)
        .map(|error| SchemaError {
            pointer: error.instance_path().to_string(),
            message: error.to_string(),
        })
        .collect()
}

impl Operation {
    pub fn has_request_schema(&self) -> bool {
        self.request_schema.is_some()
    }

    /// Whether the 422 schema lists `errors` as strings ("Validation Error Simple").
    pub fn errors_are_strings(&self) -> bool {
        self.responses
            .get(&422)
            .is_some_and(|r| r["schema"]["properties"]["errors"]["items"]["type"] == "string")
    }

    /// Why `body` is not a valid request body for this operation (empty when it is).
    pub fn request_errors(&self, body: &Value) -> Vec<SchemaError> {
        let validator = self
            .request_validator
            .get_or_init(|| self.request_schema.as_ref().map(build_validator));
        validator
            .as_ref()
            .map(|validator| errors_of(validator, body))
            .unwrap_or_default()
    }

    /// Why `body` is not what GitHub documents for a STATUS response (empty when it is,
    /// or when the subset has no schema for that status).
    pub fn response_errors(&self, status: u16, body: &Value) -> Vec<SchemaError> {
        let Some(schema) = self.responses.get(&status).map(|r| &r["schema"]) else {
            return Vec::new();
        };
        if schema.is_null() {
            return Vec::new();
        }
        let validator = self
            .response_validators
            .lock()
            .unwrap()
            .entry(status)
            .or_insert_with(|| build_validator(schema))
            .clone();
        errors_of(&validator, body)
    }

    /// The upstream example for a STATUS response, the base the fake builds its own on.
    pub fn example(&self, status: u16) -> Value {
        self.responses
            .get(&status)
            .map(|r| r["example"].clone())
            .unwrap_or(Value::Null)
    }

    /// Why the path and query values do not match the parameters: a required one is
    /// missing, or a value does not match its schema once read as the schema's type.
    pub fn parameter_errors(
        &self,
        path_values: &HashMap<String, String>,
        query: &HashMap<String, String>,
    ) -> Vec<SchemaError> {
        let mut errors = Vec::new();
        for parameter in &self.parameters {
            let value = match parameter.location.as_str() {
                "path" => path_values.get(&parameter.name),
                "query" => query.get(&parameter.name),
                _ => continue,
            };
            let Some(value) = value else {
                if parameter.required {
                    errors.push(SchemaError {
                        pointer: format!("/{}", parameter.name),
                        message: format!("missing required parameter {}", parameter.name),
                    });
                }
                continue;
            };
            let typed = match parameter.schema["type"].as_str() {
                Some("integer") => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(value.clone())),
                Some("boolean") => match value.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(value.clone()),
                },
                _ => Value::String(value.clone()),
            };
            let validator = build_validator(&parameter.schema);
            for error in errors_of(&validator, &typed) {
                errors.push(SchemaError {
                    pointer: format!("/{}", parameter.name),
                    message: format!("{}: {}", parameter.name, error.message),
                });
            }
        }
        errors
    }
}
