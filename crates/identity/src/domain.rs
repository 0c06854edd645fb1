//! Domain types: identities, credentials, sessions, flows, UI nodes, errors. No HTTP, no SQL.
