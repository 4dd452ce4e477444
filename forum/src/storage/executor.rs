//! The seam between the transaction scripts, written once, and the two databases: a
//! connection that runs one statement with bound parameters and hands back plain rows.
//!
//! Each backend implements [`Executor`] for its connection type (rusqlite's `Connection`,
//! sqlx's `PgConnection`); everything above it (the scripts, the row mapping, the write
//! queue) sees only this trait, [`Param`] and [`Row`]. Statements use PostgreSQL's `$N`
//! placeholders; the SQLite executor reads them as `?N`.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use super::StorageError;

/// A boxed future that may cross threads, as the executor's methods return.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A value bound to a placeholder, borrowed from what the script holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Param<'a> {
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// SQL `NULL` in an integer column (PostgreSQL types every parameter).
    NullInt,
    /// SQL `NULL` in a text column.
    NullText,
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(value)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Self::NullInt, Self::Int)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Self::NullText, Self::Text)
    }
}

/// One column of a result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    /// SQL `NULL`.
    Null,
    /// An integer of any width.
    Int(i64),
    /// Text.
    Text(String),
}

/// A result row: its columns in the order the statement selects them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Row(pub(crate) Vec<Cell>);

impl Row {
    fn cell(&self, index: usize) -> Result<&Cell, StorageError> {
        self.0
            .get(index)
            .ok_or_else(|| StorageError::Decode(format!("no column {index}")))
    }

    /// An integer column.
    pub(crate) fn int(&self, index: usize) -> Result<i64, StorageError> {
        self.opt_int(index)?
            .ok_or_else(|| StorageError::Decode(format!("column {index} is NULL")))
    }

    /// An integer column that may be `NULL`.
    pub(crate) fn opt_int(&self, index: usize) -> Result<Option<i64>, StorageError> {
        match self.cell(index)? {
            Cell::Null => Ok(None),
            Cell::Int(value) => Ok(Some(*value)),
            Cell::Text(_) => Err(StorageError::Decode(format!(
                "column {index} is text, not an integer"
            ))),
        }
    }

    /// A text column, taken out of the row.
    pub(crate) fn text(&mut self, index: usize) -> Result<String, StorageError> {
        self.opt_text(index)?
            .ok_or_else(|| StorageError::Decode(format!("column {index} is NULL")))
    }

    /// A text column that may be `NULL`, taken out of the row.
    pub(crate) fn opt_text(&mut self, index: usize) -> Result<Option<String>, StorageError> {
        let cell = self
            .0
            .get_mut(index)
            .ok_or_else(|| StorageError::Decode(format!("no column {index}")))?;
        match std::mem::replace(cell, Cell::Null) {
            Cell::Null => Ok(None),
            Cell::Text(value) => Ok(Some(value)),
            Cell::Int(_) => Err(StorageError::Decode(format!(
                "column {index} is an integer, not text"
            ))),
        }
    }
}

/// A database connection (or transaction) that runs one statement at a time.
#[async_trait]
pub(crate) trait Executor: Send {
    /// Runs a statement; the number of rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StorageError>;

    /// Runs a query; every row.
    async fn fetch_all(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<Row>, StorageError>;

    /// Runs a query; its first row, if any.
    async fn fetch_optional(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<Row>, StorageError> {
        Ok(self.fetch_all(sql, params).await?.into_iter().next())
    }

    /// Runs a query whose first column is an integer; those integers.
    async fn fetch_ints(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<i64>, StorageError> {
        self.fetch_all(sql, params)
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect()
    }
}

/// A script that runs on a connection: the shape of every read and write the store does.
pub(crate) type Script<T> =
    Box<dyn for<'c> FnOnce(&'c mut dyn Executor) -> BoxFuture<'c, Result<T, StorageError>> + Send>;

/// A closure as a [`Script`] (fixes the closure's signature for every connection lifetime).
pub(crate) fn script<T, F>(work: F) -> Script<T>
where
    F: for<'c> FnOnce(&'c mut dyn Executor) -> BoxFuture<'c, Result<T, StorageError>>
        + Send
        + 'static,
{
    Box::new(work)
}
