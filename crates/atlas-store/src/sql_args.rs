//! Building a query whose WHERE clause depends on the request, with every value bound as a
//! parameter (never spliced into the SQL text).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, Double, Int8, Text, Timestamptz, Uuid as SqlUuid};

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Float(f64),
    Int(i64),
    Text(String),
    Texts(Vec<String>),
    Time(DateTime<Utc>),
    Uuid(uuid::Uuid),
    Uuids(Vec<uuid::Uuid>),
}

impl Arg {
    /// The PostgreSQL type the value is bound as.
    pub fn sql_type(&self) -> &'static str {
        match self {
            Arg::Float(_) => "float8",
            Arg::Int(_) => "int8",
            Arg::Text(_) => "text",
            Arg::Texts(_) => "text[]",
            Arg::Time(_) => "timestamptz",
            Arg::Uuid(_) => "uuid",
            Arg::Uuids(_) => "uuid[]",
        }
    }
}

/// SQL text with `$n` placeholders and the values that go with them.
#[derive(Debug, Default, Clone)]
pub(crate) struct SqlBuilder {
    pub sql: String,
    args: Vec<Arg>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> SqlBuilder {
        SqlBuilder {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    /// Adds a value and returns its placeholder.
    pub fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// The SQL text so far, and a builder with no text that keeps the arguments: for SQL built
    /// in pieces whose placeholders must keep counting.
    pub fn take_sql(self) -> (String, SqlBuilder) {
        (
            self.sql,
            SqlBuilder {
                sql: String::new(),
                args: self.args,
            },
        )
    }

    /// The SQL text and its arguments, in placeholder order.
    pub fn into_parts(self) -> (String, Vec<Arg>) {
        (self.sql, self.args)
    }

    pub fn into_query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(self.sql).into_boxed::<Pg>();
        for arg in self.args {
            query = match arg {
                Arg::Float(v) => query.bind::<Double, _>(v),
                Arg::Int(v) => query.bind::<Int8, _>(v),
                Arg::Text(v) => query.bind::<Text, _>(v),
                Arg::Texts(v) => query.bind::<Array<Text>, _>(v),
                Arg::Time(v) => query.bind::<Timestamptz, _>(v),
                Arg::Uuid(v) => query.bind::<SqlUuid, _>(v),
                Arg::Uuids(v) => query.bind::<Array<SqlUuid>, _>(v),
            };
        }
        query
    }
}
