//! Shared by the recovery test files: a server with recovery on and an account to recover.

use serde_json::Value;

use crate::account_support as acc;
use crate::common::{Backend, TestServer};

/// A server with recovery by `strategy` (`code` or `link`), after `tweak`.
pub async fn server(
    backend: Backend,
    strategy: &str,
    tweak: impl FnOnce(&mut Value),
) -> TestServer {
    TestServer::start_with(backend, |cfg| {
        acc::ui_urls(cfg);
        acc::recovery(cfg, strategy);
        tweak(cfg);
    })
    .await
}

/// An identity to recover (registered through the API); its id.
pub async fn account(srv: &TestServer, address: &str) -> String {
    let done = acc::register_api(srv, address).await;
    done["identity"]["id"].as_str().unwrap().to_string()
}
