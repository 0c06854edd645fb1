import { describe, expect, it } from 'vitest';
import { interpolate, MESSAGES, messageText } from './messages';

describe('messageText', () => {
  it('renders the catalogue text for a known id', () => {
    expect(messageText({ id: 4000006, text: 'server text', type: 'error' })).toBe(
      'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.'
    );
    expect(messageText({ id: 1010022, text: 'x', type: 'info' })).toBe('Sign in with password');
  });

  it('fills placeholders from the context', () => {
    expect(
      messageText({ id: 4000032, text: 'x', type: 'error', context: { min_length: 8, actual_length: 5 } } as never)
    ).toBe('The password must be at least 8 characters long, but got 5.');
    expect(
      messageText({ id: 1070002, text: 'E-mail', type: 'info', context: { title: 'Email', name: 'traits.email' } } as never)
    ).toBe('Email');
    expect(messageText({ id: 4000002, text: 'x', type: 'error', context: { property: 'email' } } as never)).toBe(
      'Property email is missing.'
    );
  });

  it("falls back to the server's text when the context lacks a placeholder", () => {
    expect(messageText({ id: 4000032, text: 'Too short.', type: 'error' })).toBe('Too short.');
    expect(messageText({ id: 1010002, text: 'Sign in with GitHub', type: 'info' })).toBe('Sign in with GitHub');
  });

  it("falls back to the server's text for unknown ids", () => {
    expect(MESSAGES[4999999]).toBeUndefined();
    expect(messageText({ id: 4999999, text: 'Something new', type: 'error' })).toBe('Something new');
  });

  it('computes how long ago a flow expired', () => {
    const expiredAt = new Date(Date.now() - 90_000).toISOString();
    const text = messageText({ id: 4010001, text: 'x', type: 'error', context: { expired_at: expiredAt } } as never);
    expect(text).toMatch(/^The login flow expired 1\.5\d minutes ago, please try again\.$/);
    expect(messageText({ id: 4040001, text: 'x', type: 'error' })).toBe(
      'The registration flow expired, please try again.'
    );
  });

  it('has a text for every flow-expired and code-invalid id of the contract', () => {
    for (const id of [4010001, 4040001, 4050001, 4060005, 4070005, 4010008, 4040003, 4060006, 4070006, 4060004, 4070001]) {
      expect(MESSAGES[id], String(id)).toBeDefined();
    }
  });
});

describe('interpolate', () => {
  it('refuses objects in place of scalars', () => {
    expect(interpolate('{a}', { a: { b: 1 } })).toBeUndefined();
    expect(interpolate('{a} and {b}', { a: 1, b: 'two' })).toBe('1 and two');
  });
});
