//! The admin API (port 4434): identities, sessions, courier messages, and the optional API
//! key guard.

mod courier;
pub mod guard;
mod identities;
pub mod input;
pub mod paging;
pub mod query;
mod recovery;
mod sessions;
pub mod view;

use axum::Router;

use crate::options::Options;
use crate::registry::Registry;

/// Every admin route (paths already carry the `/admin` prefix).
pub fn router() -> Router<Registry> {
    Router::new()
        .merge(identities::router())
        .merge(sessions::router())
        .merge(recovery::router())
        .merge(courier::router())
}

/// `<admin base URL><path>`.
fn admin_url(opts: &Options, path: &str) -> String {
    format!("{}{}", opts.admin_url, path.trim_start_matches('/'))
}
