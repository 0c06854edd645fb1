//! Built-in email texts (our own wording), used for every part no override replaces.
//!
//! They use only the variables Kratos passes for each type (see `Courier::send_email`).

use super::template::{Part, TemplateType};

/// The built-in text of one part.
pub(super) fn text(t: TemplateType, p: Part) -> &'static str {
    use TemplateType as T;
    match (t, p) {
        (T::verification_code_valid, Part::Subject) => "Your verification code",
        (T::verification_code_valid, Part::Plaintext) => concat!(
            "Hello,\n\nplease confirm this email address with the code\n\n",
            "{{ .VerificationCode }}\n\n",
            "or open this link:\n{{ .VerificationURL }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not ask for this, you can ignore this email.\n"
        ),
        (T::verification_code_valid, Part::Html) => concat!(
            "<p>Hello,</p><p>please confirm this email address with the code</p>",
            "<p style=\"font-size:1.5em;letter-spacing:0.2em\"><strong>{{ .VerificationCode }}</strong></p>",
            "<p>or <a href=\"{{ .VerificationURL }}\">open this link</a>.</p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not ask for this, you can ignore this email.</p>"
        ),
        (T::verification_valid, Part::Subject) => "Confirm your email address",
        (T::verification_valid, Part::Plaintext) => concat!(
            "Hello,\n\nplease confirm this email address by opening this link:\n",
            "{{ .VerificationURL }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not ask for this, you can ignore this email.\n"
        ),
        (T::verification_valid, Part::Html) => concat!(
            "<p>Hello,</p><p>please confirm this email address by ",
            "<a href=\"{{ .VerificationURL }}\">opening this link</a>.</p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not ask for this, you can ignore this email.</p>"
        ),
        (T::verification_code_invalid | T::verification_invalid, Part::Subject) => {
            "Email address verification"
        }
        (T::verification_code_invalid | T::verification_invalid, Part::Plaintext) => concat!(
            "Hello,\n\nsomeone asked to verify this email address, but it does not belong ",
            "to any account here.\n\n",
            "If that was you, check whether you signed up with another address. ",
            "Otherwise you can ignore this email.\n"
        ),
        (T::verification_code_invalid | T::verification_invalid, Part::Html) => concat!(
            "<p>Hello,</p><p>someone asked to verify this email address, but it does not belong ",
            "to any account here.</p><p>If that was you, check whether you signed up with ",
            "another address. Otherwise you can ignore this email.</p>"
        ),
        (T::recovery_code_valid, Part::Subject) => "Your account recovery code",
        (T::recovery_code_valid, Part::Plaintext) => concat!(
            "Hello,\n\nuse this code to recover access to your account:\n\n",
            "{{ .RecoveryCode }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not ask to recover your account, you can ignore this email; ",
            "nothing changes unless the code is used.\n"
        ),
        (T::recovery_code_valid, Part::Html) => concat!(
            "<p>Hello,</p><p>use this code to recover access to your account:</p>",
            "<p style=\"font-size:1.5em;letter-spacing:0.2em\"><strong>{{ .RecoveryCode }}</strong></p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not ask to recover your account, you can ignore this email; ",
            "nothing changes unless the code is used.</p>"
        ),
        (T::recovery_valid, Part::Subject) => "Recover access to your account",
        (T::recovery_valid, Part::Plaintext) => concat!(
            "Hello,\n\nopen this link to recover access to your account:\n",
            "{{ .RecoveryURL }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not ask to recover your account, you can ignore this email.\n"
        ),
        (T::recovery_valid, Part::Html) => concat!(
            "<p>Hello,</p><p><a href=\"{{ .RecoveryURL }}\">Open this link</a> to recover ",
            "access to your account.</p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not ask to recover your account, you can ignore this email.</p>"
        ),
        (T::recovery_code_invalid | T::recovery_invalid, Part::Subject) => "Account recovery",
        (T::recovery_code_invalid | T::recovery_invalid, Part::Plaintext) => concat!(
            "Hello,\n\nsomeone tried to recover an account with this email address, but no ",
            "account here uses it.\n\n",
            "If that was you, check whether you signed up with another address. ",
            "Otherwise you can ignore this email.\n"
        ),
        (T::recovery_code_invalid | T::recovery_invalid, Part::Html) => concat!(
            "<p>Hello,</p><p>someone tried to recover an account with this email address, but ",
            "no account here uses it.</p><p>If that was you, check whether you signed up with ",
            "another address. Otherwise you can ignore this email.</p>"
        ),
        (T::login_code_valid, Part::Subject) => "Your sign-in code",
        (T::login_code_valid, Part::Plaintext) => concat!(
            "Hello,\n\nyour sign-in code is\n\n{{ .LoginCode }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not try to sign in, you can ignore this email.\n"
        ),
        (T::login_code_valid, Part::Html) => concat!(
            "<p>Hello,</p><p>your sign-in code is</p>",
            "<p style=\"font-size:1.5em;letter-spacing:0.2em\"><strong>{{ .LoginCode }}</strong></p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not try to sign in, you can ignore this email.</p>"
        ),
        (T::registration_code_valid, Part::Subject) => "Your sign-up code",
        (T::registration_code_valid, Part::Plaintext) => concat!(
            "Hello,\n\nyour sign-up code is\n\n{{ .RegistrationCode }}\n\n",
            "{{ if .ExpiresInMinutes }}It expires in {{ .ExpiresInMinutes }} minutes.{{ end }}\n",
            "If you did not try to sign up, you can ignore this email.\n"
        ),
        (T::registration_code_valid, Part::Html) => concat!(
            "<p>Hello,</p><p>your sign-up code is</p>",
            "<p style=\"font-size:1.5em;letter-spacing:0.2em\"><strong>{{ .RegistrationCode }}</strong></p>",
            "{{ if .ExpiresInMinutes }}<p>It expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}",
            "<p>If you did not try to sign up, you can ignore this email.</p>"
        ),
    }
}
