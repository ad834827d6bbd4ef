//! Building a query whose WHERE clause depends on the request, with every value bound as a
//! parameter (never spliced into the SQL text).

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, BoxedSqlQuery, Query, QueryFragment, QueryId, SqlQuery};
use diesel::sql_types::{Array, Double, Int8, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use diesel::QueryResult;

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

    /// The statement with its values bound, kept prepared on the connection that runs it.
    pub fn into_query(self) -> ReusableStatement {
        ReusableStatement(self.bind_all())
    }

    fn bind_all(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
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

/// A statement built by `SqlBuilder` that the connection may keep prepared and reuse.
///
/// diesel never caches `sql_query` statements, since their text may be built from values; so
/// every run of one cost a round trip to prepare a new named statement (and one to close it).
/// `SqlBuilder` never splices values into the text, so a statement's text depends only on
/// which filters a request uses: a bounded set of shapes, each cached per connection under its
/// text and parameter types. Connections plan every run with its values
/// (`plan_cache_mode = force_custom_plan`, see `Store::connect`), so reuse changes no plan.
pub(crate) struct ReusableStatement(BoxedSqlQuery<'static, Pg, SqlQuery>);

impl QueryFragment<Pg> for ReusableStatement {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl QueryId for ReusableStatement {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ReusableStatement {
    type SqlType = Untyped;
}
