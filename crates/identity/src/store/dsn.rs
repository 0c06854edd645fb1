//! Kratos-style DSNs, parsed into backend options.
//!
//! Kratos (Go, `mattn/go-sqlite3` and `pop`) accepts parameters sqlx does not know
//! (`_fk=true`, `max_conns=…`); they are translated here so a Kratos `dsn` works unchanged.

use std::path::PathBuf;
use std::time::Duration;

use super::StoreError;

/// A parsed DSN.
#[derive(Debug, Clone, PartialEq)]
pub enum Dsn {
    /// `memory`, `sqlite://…`, `sqlite::memory:`.
    Sqlite(SqliteDsn),
    /// `postgres://…`, `postgresql://…`.
    Postgres(PostgresDsn),
}

/// SQLite options.
#[derive(Debug, Clone, PartialEq)]
pub struct SqliteDsn {
    /// A private in-memory database (shared by the pool's connections).
    pub memory: bool,
    /// Database file (empty for memory).
    pub path: PathBuf,
    /// Create the file if missing (`mode=rwc`, and SQLite's default when `mode` is absent).
    pub create: bool,
    /// Open read-only (`mode=ro`).
    pub read_only: bool,
    /// How long a writer waits for the lock (`_busy_timeout`, ms; default 5 s).
    pub busy_timeout: Duration,
}

/// PostgreSQL options.
#[derive(Clone, PartialEq)]
pub struct PostgresDsn {
    /// The URL without Kratos' pool parameters (may contain a password: never log it).
    pub url: String,
    /// `max_conns`.
    pub max_connections: Option<u32>,
    /// `max_idle_conns` (kept open as the pool minimum).
    pub min_connections: Option<u32>,
    /// `max_conn_lifetime` (Go duration such as `1h`).
    pub max_lifetime: Option<Duration>,
    /// `max_conn_idle_time`.
    pub idle_timeout: Option<Duration>,
}

impl std::fmt::Debug for PostgresDsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDsn")
            .field("url", &"<redacted>")
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl Dsn {
    /// Parses a DSN; unknown schemes → `UnsupportedDsn` naming only the scheme.
    pub fn parse(dsn: &str) -> Result<Dsn, StoreError> {
        let dsn = dsn.trim();
        if dsn == "memory" {
            return Ok(Dsn::Sqlite(SqliteDsn::memory()));
        }
        let scheme = dsn
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" | "sqlite3" => parse_sqlite(&dsn[scheme.len() + 1..]).map(Dsn::Sqlite),
            "postgres" | "postgresql" => parse_postgres(dsn).map(Dsn::Postgres),
            "mysql" | "cockroach" | "cockroachdb" | "crdb" => Err(StoreError::UnsupportedDsn(
                format!("DSN scheme `{scheme}` is not supported yet; use sqlite:// or postgres://"),
            )),
            _ => Err(StoreError::UnsupportedDsn(format!(
                "unsupported DSN scheme `{scheme}`; expected memory, sqlite:// or postgres://"
            ))),
        }
    }
}

impl SqliteDsn {
    fn memory() -> Self {
        SqliteDsn {
            memory: true,
            path: PathBuf::new(),
            create: true,
            read_only: false,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

fn parse_sqlite(rest: &str) -> Result<SqliteDsn, StoreError> {
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = path.strip_prefix("file:").unwrap_or(path);
    let mut out = SqliteDsn::memory();
    out.memory = matches!(path, "" | ":memory:");
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match (&*key, &*value) {
            ("mode", "memory") => out.memory = true,
            ("mode", "ro") => (out.read_only, out.create) = (true, false),
            ("mode", "rw") => out.create = false,
            ("mode", "rwc") => out.create = true,
            ("mode", other) => {
                return Err(StoreError::UnsupportedDsn(format!(
                    "unknown sqlite mode `{other}` (expected ro, rw, rwc or memory)"
                )))
            }
            ("_busy_timeout" | "_timeout", ms) => {
                let ms = ms.parse().map_err(|_| {
                    StoreError::UnsupportedDsn(format!("invalid sqlite {key} `{ms}`"))
                })?;
                out.busy_timeout = Duration::from_millis(ms);
            }
            // Foreign keys, WAL and synchronous=NORMAL are always on: cascades rely on them.
            // `cache`, `_txlock`, `_loc`, … only concern the Go driver.
            (k, v) => tracing::debug!(key = k, value = v, "sqlite DSN parameter ignored"),
        }
    }
    if !out.memory {
        let decoded = percent_encoding::percent_decode_str(path)
            .decode_utf8()
            .map_err(|_| StoreError::UnsupportedDsn("sqlite path is not UTF-8".into()))?;
        out.path = PathBuf::from(decoded.as_ref());
    }
    Ok(out)
}

fn parse_postgres(dsn: &str) -> Result<PostgresDsn, StoreError> {
    let invalid = || StoreError::UnsupportedDsn("invalid postgres DSN".into());
    let mut url = url::Url::parse(dsn).map_err(|_| invalid())?;
    let mut out = PostgresDsn {
        url: String::new(),
        max_connections: None,
        min_connections: None,
        max_lifetime: None,
        idle_timeout: None,
    };
    let mut kept = Vec::new();
    for (key, value) in url.query_pairs() {
        let number = || value.parse::<u32>().map_err(|_| invalid());
        let duration = || humantime::parse_duration(&value).map_err(|_| invalid());
        match &*key {
            "max_conns" => out.max_connections = Some(number()?),
            "max_idle_conns" => out.min_connections = Some(number()?),
            "max_conn_lifetime" => out.max_lifetime = Some(duration()?),
            "max_conn_idle_time" => out.idle_timeout = Some(duration()?),
            _ => kept.push((key.into_owned(), value.into_owned())),
        }
    }
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    out.url = url.into();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(dsn: &str) -> SqliteDsn {
        match Dsn::parse(dsn).unwrap() {
            Dsn::Sqlite(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn store_dsn_sqlite_forms() {
        assert!(sqlite("memory").memory);
        assert!(sqlite("sqlite::memory:").memory);
        assert!(sqlite("sqlite://file::memory:?cache=shared").memory);
        let s = sqlite("sqlite:///var/lib/kratos/db.sqlite?_fk=true&mode=rwc");
        assert_eq!(s.path, PathBuf::from("/var/lib/kratos/db.sqlite"));
        assert!(s.create && !s.memory && !s.read_only);
        let s = sqlite("sqlite://./db.sqlite?_fk=true&mode=rw&_busy_timeout=100");
        assert_eq!(s.path, PathBuf::from("./db.sqlite"));
        assert!(!s.create);
        assert_eq!(s.busy_timeout, Duration::from_millis(100));
    }

    #[test]
    fn store_dsn_postgres_strips_pool_params() {
        let Dsn::Postgres(p) = Dsn::parse(
            "postgres://u:secret@h:5432/db?sslmode=disable&max_conns=20&max_idle_conns=4",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(p.url, "postgres://u:secret@h:5432/db?sslmode=disable");
        assert_eq!((p.max_connections, p.min_connections), (Some(20), Some(4)));
        assert!(!format!("{p:?}").contains("secret"));
    }

    #[test]
    fn store_dsn_unsupported_names_scheme() {
        let err = Dsn::parse("mysql://root:pw@tcp(localhost)/db").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("mysql") && msg.contains("not supported yet") && !msg.contains("pw"));
        assert!(matches!(
            Dsn::parse("cockroach://x"),
            Err(StoreError::UnsupportedDsn(_))
        ));
        assert!(matches!(
            Dsn::parse("redis://x"),
            Err(StoreError::UnsupportedDsn(_))
        ));
    }
}
