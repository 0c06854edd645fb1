// Message ids → English text. The identity server sends a text with every message; the UI
// renders its own text for the ids it knows (so wording and, later, translations live here) and
// falls back to the server's text for anything else. Ids and context keys follow kratos v26
// `text/id.go`; `{key}` is replaced with `context.key`.
import type { UiText } from '@ory/client-fetch';

type Context = Record<string, unknown>;
type Template = string | ((ctx: Context) => string | undefined);

function minutesSince(value: unknown): string | undefined {
  const at = typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) return undefined;
  return ((Date.now() - at.getTime()) / 60000).toFixed(2);
}

function minutesUntil(value: unknown): string | undefined {
  const at = typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) return undefined;
  return Math.max(0, (at.getTime() - Date.now()) / 60000).toFixed(2);
}

const expired = (flow: string) => (ctx: Context) => {
  const minutes = minutesSince(ctx.expired_at);
  return minutes === undefined
    ? `The ${flow} flow expired, please try again.`
    : `The ${flow} flow expired ${minutes} minutes ago, please try again.`;
};

/** The catalogue: info (1xxxxxx), validation errors (4xxxxxx) and system errors (5xxxxxx). */
export const MESSAGES: Readonly<Record<number, Template>> = {
  // login
  1010001: 'Sign in',
  1010002: 'Sign in with {provider}',
  1010003: 'Please confirm this action by verifying that it is you.',
  1010004: 'Please complete the second authentication challenge.',
  1010005: 'Verify',
  1010006: 'Authentication code',
  1010007: 'Backup recovery code',
  1010008: 'Sign in with a security key',
  1010009: 'Use authenticator app',
  1010010: 'Use backup recovery code',
  1010011: 'Sign in with a security key',
  1010012: 'Prepare your security key (or biometric sensor) and press continue.',
  1010013: 'Continue',
  1010014:
    "A code was sent to the address you provided. If you didn't receive it, check the spelling of the address and try again.",
  1010015: 'Send sign in code',
  1010016: (ctx) =>
    ctx.duplicate_identifier
      ? `You tried to sign in with ${String(ctx.duplicate_identifier)}, which is already in use by another account. Sign in to that account to link the two.`
      : undefined,
  1010017: 'Sign in and link',
  1010018: 'Confirm with {provider}',
  1010019: 'Request code to continue',
  1010021: 'Sign in with passkey',
  1010022: 'Sign in with password',
  1010023: 'Send code to {address}',
  1010025: "A code was sent to your address. If you didn't receive it, please try again.",
  // registration
  1040001: 'Sign up',
  1040002: 'Sign up with {provider}',
  1040003: 'Continue',
  1040004: 'Sign up with security key',
  1040005:
    'A code has been sent to the address(es) you provided. If you have not received a message, check the spelling of the address and retry the registration.',
  1040006: 'Send sign up code',
  1040007: 'Sign up with passkey',
  1040008: 'Back',
  1040009: 'Please choose a credential to authenticate yourself with.',
  // settings
  1050001: 'Your changes have been saved!',
  1050002: 'Link {provider}',
  1050003: 'Unlink {provider}',
  1050004: 'Unlink authenticator app',
  1050005: 'Authenticator app QR code',
  1050006: '{secret}',
  1050007: 'Reveal backup recovery codes',
  1050008: 'Generate new backup recovery codes',
  1050009: '{secret}',
  1050010: 'These are your backup recovery codes. Please keep them in a safe place!',
  1050011: 'Confirm backup recovery codes',
  1050012: 'Add security key',
  1050013: 'Name of the security key',
  1050014: 'Secret was used at {used_at}',
  1050016: 'Disable this method',
  1050017: 'This is your authenticator app secret. Use it if you cannot scan the QR code.',
  1050018: 'Remove security key "{display_name}"',
  1050019: 'Add passkey',
  1050020: 'Remove passkey "{display_name}"',
  // recovery
  1060001: (ctx) => {
    const left = minutesUntil(ctx.privileged_session_expires_at);
    return left === undefined
      ? undefined
      : `You successfully recovered your account. Please change your password or set up an alternative login method within the next ${left} minutes.`;
  },
  1060002:
    'An email containing a recovery link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  1060003:
    'An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  1060004:
    'A recovery code has been sent to {masked_address}. If you have not received it, check the spelling of the address and make sure to use the address you registered with.',
  1060005: 'Recover access to your account by providing your recovery address in full.',
  1060006: 'How do you want to recover your account?',
  1060007: 'Back',
  // node labels
  1070001: 'Password',
  1070002: '{title}',
  1070003: 'Save',
  1070004: 'ID',
  1070005: 'Submit',
  1070006: 'Verify code',
  1070007: 'Email',
  1070008: 'Resend code',
  1070009: 'Continue',
  1070010: 'Recovery code',
  1070011: 'Verification code',
  1070012: 'Registration code',
  1070013: 'Login code',
  1070014: 'Sign in and link credential',
  1070016: 'Recovery address',
  1070017: 'Phone number',
  1070018: 'Email or phone number',
  // verification
  1080001:
    'An email containing a verification link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  1080002: 'You successfully verified your email address.',
  1080003:
    'An email containing a verification code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  1080005: 'You successfully verified your phone number.',
  // validation
  4000002: 'Property {property} is missing.',
  4000003: 'Length must be at least {min_length}, but got {actual_length}.',
  4000004: 'Does not match pattern "{pattern}".',
  4000006:
    'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
  4000007: 'An account with the same identifier (email, phone, username, ...) exists already.',
  4000008: 'The provided authentication code is invalid, please try again.',
  4000010: 'Account not active yet. Did you forget to verify your email address?',
  4000011: 'You have no TOTP device set up.',
  4000012: 'This backup recovery code has already been used.',
  4000013: 'You have no security key set up.',
  4000014: 'You have no backup recovery codes set up.',
  4000015: 'This account does not exist or has no security key set up.',
  4000016: 'The backup recovery code is not valid.',
  4000017: 'Length must be at most {max_length}, but got {actual_length}.',
  4000031: 'The password can not be used because it is too similar to the identifier.',
  4000032: 'The password must be at least {min_length} characters long, but got {actual_length}.',
  4000033: 'The password must be at most {max_length} characters long, but got {actual_length}.',
  4000034: 'The password has been found in data breaches and must no longer be used.',
  4000035: 'This account does not exist or has not set up sign in with code.',
  4000037: 'This account does not exist or has no login method configured.',
  4000039: 'The new password must be different from the old password.',
  4000040: 'Enter a valid email address.',
  4000041: 'Enter a valid phone number.',
  // flow errors
  4010001: expired('login'),
  4010002: 'Could not find a strategy to sign you in with. Did you fill out the form correctly?',
  4010003: 'Could not find a strategy to sign you up with. Did you fill out the form correctly?',
  4010004: 'Could not find a strategy to update your settings. Did you fill out the form correctly?',
  4010005: 'Could not find a strategy to recover your account with. Did you fill out the form correctly?',
  4010006: 'Could not find a strategy to verify your account with. Did you fill out the form correctly?',
  4010007: 'The request was already completed successfully and can not be retried.',
  4010008: 'The login code is invalid or has already been used. Please try again.',
  4010011: 'This account has been disabled. Please contact support for assistance.',
  4040001: expired('registration'),
  4040002: 'The request was already completed successfully and can not be retried.',
  4040003: 'The registration code is invalid or has already been used. Please try again.',
  4050001: expired('settings'),
  4050002: 'You can only change one address at a time. Please update each address separately.',
  4060001: 'The request was already completed successfully and can not be retried.',
  4060002: 'The recovery flow reached a failure state and must be retried.',
  4060004: 'The recovery token is invalid or has already been used. Please retry the flow.',
  4060005: expired('recovery'),
  4060006: 'The recovery code is invalid or has already been used. Please try again.',
  4070001: 'The verification token is invalid or has already been used. Please retry the flow.',
  4070002: 'The request was already completed successfully and can not be retried.',
  4070003: 'The verification flow reached a failure state and must be retried.',
  4070005: expired('verification'),
  4070006: 'The verification code is invalid or has already been used. Please try again.',
  5000001: 'An internal error occurred, please try again later.',
  5000002: 'No authentication methods are available for this request.'
};

/** Fills `{key}` placeholders from the context; undefined when one is missing. */
export function interpolate(template: string, ctx: Context): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = ctx[key];
    if (v === undefined || v === null || typeof v === 'object') {
      missing = true;
      return '';
    }
    return String(v);
  });
  return missing ? undefined : out;
}

/** The text to show for a message: the catalogue's when it can be filled in, else the server's. */
export function messageText(msg: Pick<UiText, 'id' | 'text'> & { context?: object; type?: string }): string {
  const template = MESSAGES[msg.id];
  const ctx = (msg.context ?? {}) as Context;
  const own =
    typeof template === 'function'
      ? template(ctx)
      : template !== undefined
        ? interpolate(template, ctx)
        : undefined;
  return own ?? msg.text;
}
