//! What a handler gets (the routed request) and GitHub's error answers.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::http::Response;
use super::openapi::Operation;
use super::state::User;

const DOCS: &str = "https://docs.github.com/rest";

pub fn error(status: u16, message: &str) -> Response {
    Response::json(
        status,
        &json!({"message": message, "documentation_url": DOCS, "status": status.to_string()}),
    )
}

pub fn not_found() -> Response {
    error(404, "Not Found")
}

pub fn forbidden_integration() -> Response {
    error(403, "Resource not accessible by integration")
}

/// One reason GitHub gives for a 422.
pub struct Problem {
    pub resource: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// 422 in the shape OPERATION's schema declares: GitHub's "Validation Error" (objects
/// with resource, field, code, message) or "Validation Error Simple" (strings).
pub fn unprocessable(operation: &Operation, message: &str, problems: Vec<Problem>) -> Response {
    let errors: Vec<Value> = if operation.errors_are_strings() {
        problems.into_iter().map(|p| json!(p.message)).collect()
    } else {
        problems
            .into_iter()
            .map(|p| {
                json!({"resource": p.resource, "field": p.field, "code": p.code, "message": p.message})
            })
            .collect()
    };
    Response::json(
        422,
        &json!({"message": message, "errors": errors, "documentation_url": DOCS, "status": "422"}),
    )
}

/// One routed request, for the handlers.
pub struct Call<'a> {
    pub operation: &'static Operation,
    pub params: HashMap<String, String>,
    pub query: &'a HashMap<String, String>,
    pub body: Value,
    pub path: &'a str,
    pub user: User,
}

impl Call<'_> {
    pub fn owner(&self) -> &str {
        &self.params["owner"]
    }

    pub fn repo(&self) -> &str {
        &self.params["repo"]
    }

    /// A path parameter the schema says is an integer (validated already).
    pub fn number(&self, name: &str) -> u64 {
        self.params
            .get(name)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    pub fn unprocessable(&self, message: &str, problems: Vec<Problem>) -> Response {
        unprocessable(self.operation, message, problems)
    }

    /// GitHub's 422 with one "custom" error.
    pub fn invalid(&self, resource: &str, field: &str, message: &str) -> Response {
        self.unprocessable(
            "Validation Failed",
            vec![Problem {
                resource: resource.into(),
                field: field.into(),
                code: "custom".into(),
                message: message.into(),
            }],
        )
    }

    /// ITEMS as one page (`per_page` ≤ 100, default 30; `page` from 1), with the
    /// `Link` header GitHub sends when there are other pages.
    pub fn page(
        &self,
        api_url: &str,
        items: Vec<Value>,
        wrap: impl Fn(Vec<Value>) -> Value,
    ) -> Response {
        let per_page = self
            .query
            .get("per_page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(30)
            .clamp(1, 100);
        let page = self
            .query
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let shown: Vec<Value> = items
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        let mut response = Response::json(200, &wrap(shown));
        let link_to = |target: usize| {
            let mut pairs: Vec<(String, String)> = self
                .query
                .iter()
                .filter(|(k, _)| *k != "page" && *k != "per_page")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            pairs.sort();
            pairs.push(("per_page".into(), per_page.to_string()));
            pairs.push(("page".into(), target.to_string()));
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("<{api_url}{}?{}>", self.path, query.join("&"))
        };
        let mut links = Vec::new();
        if page < last {
            links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
            links.push(format!("{}; rel=\"last\"", link_to(last)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", link_to((page - 1).min(last))));
            links.push(format!("{}; rel=\"first\"", link_to(1)));
        }
        if !links.is_empty() {
            response = response.with_header("link", links.join(", "));
        }
        response
    }
}
