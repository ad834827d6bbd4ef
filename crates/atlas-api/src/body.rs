//! Request bodies: JSON objects turned into typed requests with every problem reported at once.
//!
//! actix's `Json<Value>` extractor (with the `JsonConfig` in `lib.rs`) answers empty, malformed,
//! oversized and non-JSON bodies. What is left is the shape: unknown fields and wrong types.
//! serde stops at the first mistake, so the value is deserialised repeatedly, each time with
//! the offending field taken out and recorded, until it goes through.

use atlas_domain::{FieldError, ValidationErrors};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// The most wrong-typed fields reported for one body (each costs one more pass).
const MAX_TYPE_ERRORS: usize = 64;

/// A typed request and the fields that had the wrong type (left out of it, already reported).
pub struct Parsed<T> {
    pub value: T,
    pub errors: ValidationErrors,
}

/// Deserialises a JSON object into `T`, which must `deny_unknown_fields` and give every field a
/// default. `known` lists `T`'s top-level field names, so every unknown one is named at once.
pub fn parse_body<T: DeserializeOwned>(body: Value, known: &[&str]) -> Result<Parsed<T>, ApiError> {
    let Value::Object(mut object) = body else {
        return Err(ApiError::BadBody {
            code: "expected_object",
            detail: "the body must be a JSON object".to_owned(),
        });
    };
    let mut errors = ValidationErrors::default();
    let unknown: Vec<String> = object
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        object.remove(&key);
        errors.push(
            key.chars().take(100).collect::<String>(),
            "unknown_field",
            "this field does not exist; see the API documentation",
        );
    }
    let mut value = Value::Object(object);
    for _ in 0..MAX_TYPE_ERRORS {
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => {
                return Ok(Parsed {
                    value: parsed,
                    errors,
                })
            }
            Err(error) => {
                let path = error.path().to_string();
                let message = error.inner().to_string();
                let (field, code) = if message.starts_with("unknown field") {
                    (unknown_nested_field(&path, &message), "unknown_field")
                } else {
                    (path.clone(), "invalid_type")
                };
                errors.0.push(FieldError::new(field, code, message));
                if !remove_path(&mut value, &path) {
                    return Err(errors.into());
                }
            }
        }
    }
    Err(errors.into())
}

/// For an unknown field inside a nested object, serde reports the object's path; name the field.
fn unknown_nested_field(path: &str, message: &str) -> String {
    let name = message
        .split('`')
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect::<String>();
    if path == "." || path.is_empty() {
        name
    } else if path.ends_with(&name) {
        path.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Takes the value at a serde_path_to_error path (`consent.publish`, `links[1].url`) out of
/// `value`; returns false when there is nothing there to take.
fn remove_path(value: &mut Value, path: &str) -> bool {
    let mut segments: Vec<Segment> = Vec::new();
    for part in path.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_owned()));
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            match index.trim_end_matches(']').parse() {
                Ok(i) => segments.push(Segment::Index(i)),
                Err(_) => return false,
            }
        }
    }
    remove_segments(value, &segments)
}

enum Segment {
    Key(String),
    Index(usize),
}

fn remove_segments(value: &mut Value, segments: &[Segment]) -> bool {
    match segments {
        [] => false,
        [last] => match (value, last) {
            (Value::Object(map), Segment::Key(key)) => map.remove(key).is_some(),
            (Value::Array(items), Segment::Index(i)) if *i < items.len() => {
                items.remove(*i);
                true
            }
            _ => false,
        },
        [first, rest @ ..] => {
            let child = match (value, first) {
                (Value::Object(map), Segment::Key(key)) => map.get_mut(key),
                (Value::Array(items), Segment::Index(i)) => items.get_mut(*i),
                _ => None,
            };
            match child {
                Some(child) => {
                    // A nested object with an unknown field: drop the whole object.
                    remove_segments(child, rest)
                }
                None => false,
            }
        }
    }
}

/// The fields of `errors` not already reported under `reported` (a wrong-typed field left out
/// of the request is not also "required").
pub fn merge_errors(mut reported: ValidationErrors, more: ValidationErrors) -> ValidationErrors {
    let covered: Vec<String> = reported.0.iter().map(|e| e.field.clone()).collect();
    for error in more.0 {
        let already = covered.iter().any(|field| {
            error.field == *field
                || error.field.starts_with(&format!("{field}."))
                || error.field.starts_with(&format!("{field}["))
                || field.starts_with(&format!("{}.", error.field))
        });
        if !already {
            reported.0.push(error);
        }
    }
    reported
}
