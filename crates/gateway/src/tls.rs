//! `serve.proxy.tls` / `serve.api.tls`: HTTPS listeners with rustls. The certificate chain and
//! the private key are PEM, each read from `path` or decoded from `base64` (as Oathkeeper's
//! schema defines; `base64` wins when both are set). Leaving both unset keeps plain HTTP.

use std::sync::Arc;

use base64::Engine;
use nexus_kit::config::ConfigError;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::config::{TlsConfig, TlsSource};

/// The listener's TLS acceptor; `None` for plain HTTP. Errors name the config key
/// (`serve.proxy.tls.cert`, …) and map to exit status 64.
pub fn acceptor(tls: Option<&TlsConfig>, prefix: &str) -> Result<Option<TlsAcceptor>, ConfigError> {
    let Some(tls) = tls else {
        return Ok(None);
    };
    let (cert, key) = (tls.cert.is_set(), tls.key.is_set());
    if !cert && !key {
        return Ok(None);
    }
    let missing = |which: &str| {
        ConfigError::invalid(
            format!("{prefix}.tls.{which}"),
            "is required when the other of tls.cert/tls.key is set",
        )
    };
    if !cert {
        return Err(missing("cert"));
    }
    if !key {
        return Err(missing("key"));
    }
    let cert_key = format!("{prefix}.tls.cert");
    let key_key = format!("{prefix}.tls.key");
    let chain = CertificateDer::pem_slice_iter(&read(&tls.cert, &cert_key)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::invalid(&cert_key, format!("not a PEM certificate: {e}")))?;
    if chain.is_empty() {
        return Err(ConfigError::invalid(
            &cert_key,
            "contains no PEM certificate",
        ));
    }
    let private = PrivateKeyDer::from_pem_slice(&read(&tls.key, &key_key)?)
        .map_err(|e| ConfigError::invalid(&key_key, format!("not a PEM private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::invalid(format!("{prefix}.tls"), e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            ConfigError::invalid(&key_key, format!("does not match the certificate: {e}"))
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}

/// The PEM bytes of a source.
fn read(src: &TlsSource, key: &str) -> Result<Vec<u8>, ConfigError> {
    if !src.base64.trim().is_empty() {
        let compact: String = src.base64.split_whitespace().collect();
        return base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| {
                ConfigError::invalid(format!("{key}.base64"), format!("not base64: {e}"))
            });
    }
    std::fs::read(&src.path)
        .map_err(|e| ConfigError::invalid(format!("{key}.path"), format!("{}: {e}", src.path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, base64: &str) -> TlsSource {
        TlsSource {
            path: path.into(),
            base64: base64.into(),
        }
    }

    #[test]
    fn unset_means_plain_http_and_half_set_is_an_error_naming_the_key() {
        assert!(acceptor(None, "serve.proxy").unwrap().is_none());
        assert!(acceptor(Some(&TlsConfig::default()), "serve.proxy")
            .unwrap()
            .is_none());
        let half = TlsConfig {
            cert: source("/nope.pem", ""),
            key: TlsSource::default(),
        };
        let e = acceptor(Some(&half), "serve.api").err().unwrap();
        assert!(e.to_string().contains("serve.api.tls.key"), "{e}");
        let both = TlsConfig {
            cert: source("/nonexistent/cert.pem", ""),
            key: source("", "bm90IGEga2V5"),
        };
        let e = acceptor(Some(&both), "serve.proxy").err().unwrap();
        assert!(e.to_string().contains("serve.proxy.tls.cert.path"), "{e}");
        assert_eq!(e.exit_code(), 64);
    }

    #[test]
    fn debug_output_redacts_inline_keys() {
        let s = source("", "c2VjcmV0LWtleS1tYXRlcmlhbA==");
        let shown = format!("{s:?}");
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }
}
