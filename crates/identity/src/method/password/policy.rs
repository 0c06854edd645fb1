//! Password policy: minimum length, identifier similarity, breached-password check.
