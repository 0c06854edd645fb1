//! Importing credentials (plain or hashed passwords, social sign-in links) and removing them
//! (kratos v26.2.0 `identity/handler_import.go`, `deleteIdentityCredentials`).

use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::body::{ImportCredentials, OidcImport, PasswordImport};
use super::AdminError;
use crate::domain::identity::{credential_type, new_credential};
use crate::domain::{self, ApiError, Identity};
use crate::hash::{HashError, PasswordHasher};
use crate::registry::Registry;

/// Credential types Kratos knows (openapi.json `identityCredentials.type`).
pub const KNOWN_TYPES: &[&str] = &[
    "password",
    "oidc",
    "totp",
    "lookup_secret",
    "webauthn",
    "code",
    "passkey",
    "profile",
    "saml",
    "link_recovery",
    "code_recovery",
];

/// Whether a plaintext password is part of the import (it costs a hash).
pub fn has_plaintext(creds: Option<&ImportCredentials>) -> bool {
    creds
        .and_then(|c| c.password.as_ref())
        .and_then(|p| p.config.password.as_deref())
        .is_some_and(|p| !p.is_empty())
}

/// Checks what can be checked without hashing: the hash format, the migration hook.
pub fn precheck(creds: Option<&ImportCredentials>) -> Result<(), ApiError> {
    let Some(password) = creds.and_then(|c| c.password.as_ref()) else {
        return Ok(());
    };
    let config = &password.config;
    if config.use_password_migration_hook {
        return Err(ApiError::bad_request(
            "use_password_migration_hook is not supported by this server: import the password or its hash instead.",
        ));
    }
    if config.password.as_deref().is_some_and(|p| !p.is_empty()) {
        return Ok(());
    }
    let hashed = config.hashed_password.as_deref().unwrap_or_default();
    PasswordHasher::format_of(hashed).map_err(hash_rejected)?;
    Ok(())
}

/// Adds the imported credentials to `identity` (after [`precheck`]). A plaintext password is
/// hashed with the configured hasher; a hash is stored as given and upgraded on first login.
pub async fn import(
    reg: &Registry,
    identity: &mut Identity,
    creds: Option<&ImportCredentials>,
) -> Result<(), AdminError> {
    let Some(creds) = creds else {
        return Ok(());
    };
    precheck(Some(creds))?;
    if let Some(password) = &creds.password {
        let hashed = hashed_password(reg, password).await?;
        set_password(identity, hashed);
    }
    if let Some(oidc) = &creds.oidc {
        add_oidc(identity, oidc)?;
    }
    identity.available_aal = identity.compute_available_aal();
    Ok(())
}

async fn hashed_password(reg: &Registry, password: &PasswordImport) -> Result<String, AdminError> {
    let config = &password.config;
    match config.password.as_deref().filter(|p| !p.is_empty()) {
        Some(plain) => reg
            .hasher
            .hash(Zeroizing::new(plain.to_string()))
            .await
            .map_err(|e| match e {
                HashError::PasswordTooLong { .. } => AdminError::Api(ApiError::bad_request(
                    format!("The password cannot be hashed: {e}."),
                )),
                other => AdminError::Internal(other.to_string()),
            }),
        None => Ok(config.hashed_password.clone().unwrap_or_default()),
    }
}

/// Sets the password hash, keeping the credential's identifiers.
fn set_password(identity: &mut Identity, hashed: String) {
    let now = domain::now();
    match identity.credentials.get_mut(credential_type::PASSWORD) {
        Some(c) => {
            c.config = json!({ "hashed_password": hashed });
            c.updated_at = now;
        }
        None => identity.set_credential(new_credential(
            credential_type::PASSWORD,
            Vec::new(),
            json!({ "hashed_password": hashed }),
        )),
    }
}

/// Links social sign-in accounts; identifiers are `<provider>:<subject>` as in Kratos.
fn add_oidc(identity: &mut Identity, oidc: &OidcImport) -> Result<(), ApiError> {
    let mut identifiers = Vec::new();
    let mut providers = Vec::new();
    for p in &oidc.config.providers {
        if p.provider.is_empty() || p.subject.is_empty() {
            return Err(ApiError::bad_request(
                "Every imported OpenID Connect provider needs a provider and a subject.",
            ));
        }
        identifiers.push(format!("{}:{}", p.provider, p.subject));
        let mut entry = json!({ "subject": p.subject, "provider": p.provider });
        if p.use_auto_link {
            entry["use_auto_link"] = Value::Bool(true);
        }
        providers.push(entry);
    }
    let now = domain::now();
    match identity.credentials.get_mut(credential_type::OIDC) {
        Some(c) => {
            c.identifiers.extend(identifiers);
            c.identifiers.sort();
            c.identifiers.dedup();
            let list = c.config["providers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            c.config =
                json!({ "providers": list.into_iter().chain(providers).collect::<Vec<_>>() });
            c.updated_at = now;
        }
        None => identity.set_credential(new_credential(
            credential_type::OIDC,
            identifiers,
            json!({ "providers": providers }),
        )),
    }
    Ok(())
}

/// 400 for a hash that cannot be imported, naming its format or fault (never the hash).
fn hash_rejected(e: HashError) -> ApiError {
    let reason = match &e {
        HashError::UnknownFormat(name) => format!(
            "The imported password does not match any known hash format (\"{name}\"). For more information see https://www.ory.sh/dr/2"
        ),
        other => format!("The imported password hash cannot be used: {other}."),
    };
    ApiError::bad_request(reason)
}

/// Removes a credential as Kratos v26 does: second factors go; the password or a social
/// link only while another first factor remains (the password keeps its identifiers).
pub fn delete(
    identity: &mut Identity,
    kind: &str,
    identifier: Option<&str>,
) -> Result<(), ApiError> {
    let Some(credential) = identity.credentials.get(kind) else {
        return Err(ApiError::not_found().with_reason(format!(
            "You tried to remove a {kind} but this user have no {kind} set up."
        )));
    };
    match kind {
        credential_type::TOTP | credential_type::LOOKUP_SECRET => {
            identity.credentials.remove(kind);
        }
        credential_type::WEBAUTHN => {
            let mut config = credential.config.clone();
            let kept: Vec<Value> = config["credentials"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["is_passwordless"].as_bool().unwrap_or(false))
                .cloned()
                .collect();
            if kept.is_empty() {
                identity.credentials.remove(kind);
            } else if let Some(c) = identity.credentials.get_mut(kind) {
                config["credentials"] = Value::Array(kept);
                c.config = config;
            }
        }
        credential_type::PASSWORD | credential_type::OIDC => {
            if first_factors(identity) < 2 {
                return Err(ApiError::bad_request(
                    "You cannot remove the last first factor credential.",
                ));
            }
            remove_first_factor(identity, kind, identifier)?;
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "Credentials type {other} cannot be deleted."
            )))
        }
    }
    identity.available_aal = identity.compute_available_aal();
    Ok(())
}

fn remove_first_factor(
    identity: &mut Identity,
    kind: &str,
    identifier: Option<&str>,
) -> Result<(), ApiError> {
    let Some(c) = identity.credentials.get_mut(kind) else {
        return Ok(());
    };
    c.updated_at = domain::now();
    if kind == credential_type::PASSWORD {
        c.config = json!({});
        return Ok(());
    }
    let identifier = identifier.filter(|i| !i.is_empty()).ok_or_else(|| {
        ApiError::bad_request("Pass the identifier (`<provider>:<subject>`) of the link to remove.")
    })?;
    if !c.identifiers.iter().any(|i| i == identifier) {
        return Err(ApiError::not_found().with_reason(format!(
            "This identity has no {kind} link with identifier {identifier}."
        )));
    }
    c.identifiers.retain(|i| i != identifier);
    let providers: Vec<Value> = c.config["providers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            format!(
                "{}:{}",
                p["provider"].as_str().unwrap_or_default(),
                p["subject"].as_str().unwrap_or_default()
            ) != identifier
        })
        .cloned()
        .collect();
    if c.identifiers.is_empty() {
        identity.credentials.remove(kind);
    } else {
        c.config["providers"] = Value::Array(providers);
    }
    Ok(())
}

/// First factors the identity can still sign in with: a stored password hash, each social
/// link, each passwordless WebAuthn key, a passkey.
pub fn first_factors(identity: &Identity) -> usize {
    let mut n = 0;
    if let Some(p) = identity.credential(credential_type::PASSWORD) {
        if p.config["hashed_password"]
            .as_str()
            .is_some_and(|h| !h.is_empty())
        {
            n += 1;
        }
    }
    if let Some(o) = identity.credential(credential_type::OIDC) {
        n += o.config["providers"].as_array().map_or(0, Vec::len);
    }
    if let Some(w) = identity.credential(credential_type::WEBAUTHN) {
        n += w.config["credentials"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["is_passwordless"].as_bool().unwrap_or(false))
            .count();
    }
    if identity.credential(credential_type::PASSKEY).is_some() {
        n += 1;
    }
    n
}
