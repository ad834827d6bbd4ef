//! The taxonomy: themes an actor works on, with labels in several languages. It is data
//! (loaded from `seed-data/taxonomy.json`), not code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::LangText;
use crate::validation::FieldError;

/// A stable category id in lowercase kebab-case (`digital-inclusion`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryId(String);

impl CategoryId {
    pub fn parse(field: &str, input: &str) -> Result<CategoryId, FieldError> {
        let id = input.trim();
        let well_formed = !id.is_empty()
            && id.len() <= 64
            && id.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if well_formed {
            Ok(CategoryId(id.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "invalid_category",
                format!(
                    "`{}` is not a category id (lowercase words joined by hyphens)",
                    id.chars().take(64).collect::<String>()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CategoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub labels: LangText,
}

/// All categories, parents before their children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taxonomy {
    pub categories: Vec<Category>,
}

impl Taxonomy {
    pub fn contains(&self, id: &CategoryId) -> bool {
        self.categories.iter().any(|c| &c.id == id)
    }

    /// Checks an id exists, for validating input against the current taxonomy.
    pub fn check(&self, field: &str, id: &CategoryId) -> Result<(), FieldError> {
        if self.contains(id) {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                "unknown_category",
                format!("there is no category `{id}`; see GET /v1/categories"),
            ))
        }
    }

    /// The given categories and all their descendants, so filtering by a parent also finds
    /// actors filed under its children.
    pub fn with_descendants(&self, ids: &[CategoryId]) -> Vec<CategoryId> {
        let mut result: Vec<CategoryId> = ids.to_vec();
        let mut index = 0;
        while index < result.len() {
            let parent = result[index].clone();
            for child in self
                .categories
                .iter()
                .filter(|c| c.parent.as_ref() == Some(&parent))
            {
                if !result.contains(&child.id) {
                    result.push(child.id.clone());
                }
            }
            index += 1;
        }
        result
    }

    /// Checks the taxonomy is a forest: unique ids, parents that exist, labels in English.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for category in &self.categories {
            if !seen.insert(&category.id) {
                return Err(format!("category `{}` appears twice", category.id));
            }
            if !category.labels.0.contains_key(&crate::text::Lang::EN) {
                return Err(format!("category `{}` has no English label", category.id));
            }
        }
        for category in &self.categories {
            if let Some(parent) = &category.parent {
                if !seen.contains(parent) || parent == &category.id {
                    return Err(format!(
                        "category `{}` has an unknown parent `{parent}`",
                        category.id
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    fn category(id: &str, parent: Option<&str>) -> Category {
        let mut labels = LangText::default();
        labels.insert(Lang::EN, id);
        Category {
            id: CategoryId(id.into()),
            parent: parent.map(|p| CategoryId(p.into())),
            labels,
        }
    }

    #[test]
    fn ids_are_kebab_case() {
        assert!(CategoryId::parse("category", "digital-inclusion").is_ok());
        assert!(CategoryId::parse("category", "Digital Inclusion").is_err());
        assert!(CategoryId::parse("category", "a--b").is_err());
        assert!(CategoryId::parse("category", "").is_err());
    }

    #[test]
    fn a_taxonomy_needs_known_parents_and_unique_ids() {
        let good = Taxonomy {
            categories: vec![category("food", None), category("food-banks", Some("food"))],
        };
        assert_eq!(good.validate(), Ok(()));
        let orphan = Taxonomy {
            categories: vec![category("food-banks", Some("food"))],
        };
        assert!(orphan.validate().is_err());
        let twice = Taxonomy {
            categories: vec![category("food", None), category("food", None)],
        };
        assert!(twice.validate().is_err());
    }

    #[test]
    fn a_parent_category_includes_its_children() {
        let taxonomy = Taxonomy {
            categories: vec![
                category("food", None),
                category("food-banks", Some("food")),
                category("energy", None),
            ],
        };
        let food = CategoryId::parse("c", "food").expect("id");
        let ids: Vec<String> = taxonomy
            .with_descendants(&[food])
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(ids, vec!["food", "food-banks"]);
    }

    #[test]
    fn unknown_categories_are_named_in_the_error() {
        let taxonomy = Taxonomy {
            categories: vec![category("food", None)],
        };
        let id = CategoryId::parse("category", "fod").expect("well formed");
        let error = taxonomy.check("category", &id).expect_err("unknown");
        assert_eq!(error.code, "unknown_category");
        assert_eq!(error.field, "category");
    }
}
