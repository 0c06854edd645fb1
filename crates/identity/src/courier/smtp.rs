//! SMTP delivery from `courier.smtp`, with Kratos' `connection_uri` semantics:
//! `smtps://` is implicit TLS; `smtp://` requires STARTTLS unless `?disable_starttls=true`;
//! `?skip_ssl_verify=true` accepts any certificate; `?server_name=` overrides the TLS name.
//! lettre builds the messages and speaks SMTP; [`pool`] opens the connections.

mod pool;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::extension::ClientId;

use self::pool::{Failure, Pool, Security, Server};
use super::dispatcher::{Mailer, SendError};
use crate::config::courier::Smtp as SmtpConfig;
use crate::domain::message::Message;

/// Connections kept open to the mail server (and so the most messages sent at once).
pub const CONNECTIONS: u32 = 4;

/// A mail server configuration that cannot work. Never includes the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("courier.{key}: {message}")]
pub struct SmtpConfigError {
    /// The offending key under `courier` (`smtp.connection_uri`, …).
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> SmtpConfigError {
    SmtpConfigError {
        key,
        message: message.into(),
    }
}

/// Sends mail through one SMTP server.
pub struct SmtpMailer {
    pool: Pool,
    from: Mailbox,
    headers: Vec<(HeaderName, String)>,
    /// `host:port`, for logs (never the credentials).
    endpoint: String,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("endpoint", &self.endpoint)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpMailer {
    /// Reads `courier.smtp` (no connection is made yet).
    pub fn new(config: &SmtpConfig) -> Result<Self, SmtpConfigError> {
        let raw = config.connection_uri.expose();
        if raw.is_empty() {
            return Err(invalid(
                "smtp.connection_uri",
                "is required to deliver mail (e.g. smtps://user:password@mail.example.com:465/)",
            ));
        }
        // The URL parser's messages never repeat the input, so the password stays out.
        let uri = url::Url::parse(raw)
            .map_err(|e| invalid("smtp.connection_uri", format!("is not a valid URL ({e})")))?;
        let implicit_tls = match uri.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => {
                return Err(invalid(
                    "smtp.connection_uri",
                    format!("scheme must be smtp or smtps, not {other:?}"),
                ))
            }
        };
        let host = uri
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("smtp.connection_uri", "has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port().unwrap_or(if implicit_tls { 465 } else { 25 });
        let query = |k: &str| {
            uri.query_pairs()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.into_owned())
        };
        let flag = |k: &'static str| -> Result<bool, SmtpConfigError> {
            match query(k).as_deref() {
                None | Some("") => Ok(false),
                Some(v) => parse_bool(v).ok_or_else(|| {
                    invalid("smtp.connection_uri", format!("{k}={v:?} is not a boolean"))
                }),
            }
        };
        let disable_starttls = flag("disable_starttls")?;
        let skip_verify = flag("skip_ssl_verify")?;
        let server_name = query("server_name").unwrap_or_else(|| host.clone());

        let security = if implicit_tls || !disable_starttls {
            let mut params = TlsParameters::builder(server_name)
                .dangerous_accept_invalid_certs(skip_verify)
                .dangerous_accept_invalid_hostnames(skip_verify);
            if let Some(identity) = client_identity(config)? {
                params = params.identify_with(identity);
            }
            let params = params
                .build_rustls()
                .map_err(|e| invalid("smtp.connection_uri", format!("TLS setup failed: {e}")))?;
            if implicit_tls {
                Security::Implicit(params)
            } else {
                Security::StartTls(params)
            }
        } else {
            Security::Plain
        };
        let hello = if config.local_name.is_empty() {
            ClientId::default() // the host name
        } else {
            ClientId::Domain(config.local_name.clone())
        };
        let user = percent_decode(uri.username());
        let credentials = (!user.is_empty()).then(|| {
            let password = percent_decode(uri.password().unwrap_or_default());
            Credentials::new(user, password)
        });
        let pool = Pool::new(Server {
            host: host.clone(),
            port,
            security,
            hello,
            credentials,
            timeout: Duration::from_secs(30),
        });

        let address = config.from_address.parse().map_err(|e| {
            invalid(
                "smtp.from_address",
                format!("is not an email address ({e})"),
            )
        })?;
        let from = Mailbox::new(config.from_name.clone().filter(|n| !n.is_empty()), address);
        let mut headers = Vec::new();
        for (name, value) in &config.headers {
            let header = HeaderName::new_from_ascii(name.clone()).map_err(|_| {
                invalid(
                    "smtp.headers",
                    format!("{name:?} is not a valid header name"),
                )
            })?;
            if value.contains(['\r', '\n']) {
                return Err(invalid(
                    "smtp.headers",
                    format!("the value of {name} has a line break"),
                ));
            }
            headers.push((header, value.clone()));
        }
        Ok(SmtpMailer {
            pool,
            from,
            headers,
            endpoint: format!("{host}:{port}"),
        })
    }

    /// `host:port` of the mail server.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn build(&self, m: &Message) -> Result<lettre::Message, SendError> {
        let to: Mailbox = m.recipient.parse().map_err(|e| SendError::Rejected {
            reason: format!("invalid recipient address: {e}"),
            permanent: true,
        })?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone());
        for (name, value) in &self.headers {
            builder = builder.raw_header(HeaderValue::new(name.clone(), value.clone()));
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone());
        let built = if m.html_body.is_empty() {
            builder.singlepart(text)
        } else {
            builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(m.html_body.clone()),
                ),
            )
        };
        built.map_err(|e| SendError::Rejected {
            reason: format!("cannot build the message: {e}"),
            permanent: true,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, m: &Message) -> Result<(), SendError> {
        let mail = self.build(m)?;
        let e = match self.pool.send(mail.envelope(), &mail.formatted()).await {
            Ok(()) => return Ok(()),
            // No session, or no SMTP answer: connection refused, TLS or login failure, timeout.
            Err(Failure::Unavailable(reason)) => return Err(SendError::Unavailable(reason)),
            Err(Failure::Refused(e)) => e,
        };
        // The server said no (or the client refused to go on). If a fresh session (connect,
        // TLS, login) works, it was this message; otherwise the server or our login is the
        // problem and the message is not to blame.
        if self.pool.probe().await {
            Err(SendError::Rejected {
                reason: describe(&e),
                permanent: e.is_permanent() || e.is_client(),
            })
        } else {
            Err(SendError::Unavailable(describe(&e)))
        }
    }
}

/// The error chain as one line (lettre's errors never contain the credentials).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = inner.source();
    }
    s
}

fn client_identity(
    config: &SmtpConfig,
) -> Result<Option<lettre::transport::smtp::client::Identity>, SmtpConfigError> {
    match (
        config.client_cert_path.is_empty(),
        config.client_key_path.is_empty(),
    ) {
        (true, true) => Ok(None),
        (false, false) => {
            let cert = std::fs::read(&config.client_cert_path)
                .map_err(|e| invalid("smtp.client_cert_path", format!("cannot read: {e}")))?;
            let key = std::fs::read(&config.client_key_path)
                .map_err(|e| invalid("smtp.client_key_path", format!("cannot read: {e}")))?;
            lettre::transport::smtp::client::Identity::from_pem(&cert, &key)
                .map(Some)
                .map_err(|e| {
                    invalid(
                        "smtp.client_cert_path",
                        format!("invalid certificate or key: {e}"),
                    )
                })
        }
        (true, false) => Err(invalid(
            "smtp.client_cert_path",
            "is required with client_key_path",
        )),
        (false, true) => Err(invalid(
            "smtp.client_key_path",
            "is required with client_cert_path",
        )),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecretUrl;

    fn smtp(uri: &str) -> SmtpConfig {
        SmtpConfig {
            connection_uri: SecretUrl::new(uri),
            ..SmtpConfig::default()
        }
    }

    #[test]
    fn accepts_kratos_uris() {
        for uri in [
            "smtp://u:p@127.0.0.1:2525/?disable_starttls=true",
            "smtp://mail.example.com/",
            "smtp://u:p@mail.example.com:587/?skip_ssl_verify=true",
            "smtps://u:p%40ss@mail.example.com:465/",
            "smtps://mail.example.com/?server_name=smtp.example.com",
        ] {
            let m = SmtpMailer::new(&smtp(uri)).unwrap_or_else(|e| panic!("{uri}: {e}"));
            assert!(m.endpoint().contains("example.com") || m.endpoint().starts_with("127."));
        }
        assert_eq!(
            SmtpMailer::new(&smtp("smtps://mail.example.com"))
                .unwrap()
                .endpoint(),
            "mail.example.com:465"
        );
    }

    #[test]
    fn rejects_bad_settings_without_showing_the_password() {
        let cases = [
            ("", "smtp.connection_uri"),
            ("http://u:hunter2secret@h/", "smtp.connection_uri"),
            ("smtp://u:hunter2secret@/", "smtp.connection_uri"),
            (
                "smtp://u:hunter2secret@h/?disable_starttls=maybe",
                "smtp.connection_uri",
            ),
        ];
        for (uri, key) in cases {
            let e = SmtpMailer::new(&smtp(uri)).unwrap_err();
            assert_eq!(e.key, key, "{uri}");
            assert!(!e.to_string().contains("hunter2secret"), "{e}");
        }
        let mut c = smtp("smtp://h/");
        c.from_address = "not an address".into();
        assert_eq!(SmtpMailer::new(&c).unwrap_err().key, "smtp.from_address");
        let mut c = smtp("smtp://h/");
        c.headers.insert("Bad Name".into(), "x".into());
        assert_eq!(SmtpMailer::new(&c).unwrap_err().key, "smtp.headers");
        let mut c = smtp("smtp://h/");
        c.client_key_path = "/k.pem".into();
        assert_eq!(
            SmtpMailer::new(&c).unwrap_err().key,
            "smtp.client_cert_path"
        );
    }

    #[test]
    fn go_booleans() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("F"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
