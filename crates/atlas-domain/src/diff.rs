//! Field-by-field differences between two versions of an actor's profile, for moderators
//! and histories: `name: old → new`, and multilingual text per language (`description.de`).

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// Fields whose value is a map compared key by key (per language, per identifier scheme).
const KEYED_FIELDS: [&str; 3] = ["summary", "description", "identifiers"];

/// The changes from `old` to `new` (profiles as JSON objects), in field order.
pub fn profile_diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    let mut changes = Vec::new();
    for field in fields {
        let (before, after) = (
            old.get(field).unwrap_or(&Value::Null),
            new.get(field).unwrap_or(&Value::Null),
        );
        if before == after {
            continue;
        }
        if KEYED_FIELDS.contains(&field.as_str()) {
            let nested = profile_diff(before, after);
            changes.extend(nested.into_iter().map(|c| FieldChange {
                field: format!("{field}.{}", c.field),
                ..c
            }));
        } else {
            changes.push(FieldChange {
                field: field.clone(),
                old: before.clone(),
                new: after.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_listed_per_field_and_per_language() {
        let old = json!({"name": "A", "kind": "other", "description": {"de": "Hallo", "en": "Hello"}, "tags": ["x"]});
        let new = json!({"name": "B", "kind": "other", "description": {"de": "Servus", "en": "Hello", "fr": "Salut"}, "tags": ["x"]});
        let changes = profile_diff(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["description.de", "description.fr", "name"]);
        assert_eq!(changes[0].old, json!("Hallo"));
        assert_eq!(changes[1].old, Value::Null);
        assert_eq!(changes[2].new, json!("B"));
    }

    #[test]
    fn a_first_version_is_all_new() {
        let changes = profile_diff(&Value::Null, &json!({"name": "A"}));
        assert_eq!(
            changes,
            vec![FieldChange {
                field: "name".into(),
                old: Value::Null,
                new: json!("A")
            }]
        );
    }
}
