import { describe, expect, it } from 'vitest';
import { afterSuccess } from './success';

describe('afterSuccess', () => {
  it('login goes to return_to, else home', () => {
    expect(afterSuccess('login', { session: {} }, 'http://127.0.0.1:4455/settings')).toEqual({
      type: 'redirect',
      to: 'http://127.0.0.1:4455/settings'
    });
    expect(afterSuccess('login', { session: {} }, undefined)).toEqual({ type: 'redirect', to: '/' });
  });

  it('continue_with redirect_browser_to wins', () => {
    const data = { continue_with: [{ action: 'redirect_browser_to', redirect_browser_to: 'https://app.example.com/' }] };
    expect(afterSuccess('login', data, '/x')).toEqual({ type: 'redirect', to: 'https://app.example.com/' });
    expect(afterSuccess('settings', data, undefined)).toEqual({ type: 'redirect', to: 'https://app.example.com/' });
  });

  it('a redirect to the very settings flow on screen shows the answer instead', () => {
    const here = 'http://127.0.0.1:4455/settings?flow=s1';
    const flow = {
      id: 's1',
      state: 'success',
      ui: { nodes: [], messages: [{ id: 1050001 }] },
      continue_with: [{ action: 'redirect_browser_to', redirect_browser_to: here }]
    };
    expect(afterSuccess('settings', flow, undefined, here)).toEqual({ type: 'render', flow });
    const other = { ...flow, continue_with: [{ action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1:4455/' }] };
    expect(afterSuccess('settings', other, undefined, here)).toEqual({ type: 'redirect', to: 'http://127.0.0.1:4455/' });
  });

  it('registration shows the verification flow it was given', () => {
    const data = {
      identity: {},
      continue_with: [{ action: 'show_verification_ui', flow: { id: 'v1', verifiable_address: 'a@b.c', url: 'x' } }]
    };
    expect(afterSuccess('registration', data, undefined)).toEqual({ type: 'redirect', to: '/verification?flow=v1' });
  });

  it('registration verifies the address before following redirect_browser_to', () => {
    const data = {
      identity: {},
      continue_with: [
        { action: 'show_verification_ui', flow: { id: 'v1', verifiable_address: 'a@b.c', url: 'x' } },
        { action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1:4455/' }
      ]
    };
    expect(afterSuccess('registration', data, undefined)).toEqual({ type: 'redirect', to: '/verification?flow=v1' });
  });

  it('recovery continues in settings', () => {
    const data = { id: 'r1', ui: { nodes: [] }, continue_with: [{ action: 'show_settings_ui', flow: { id: 's1' } }] };
    expect(afterSuccess('recovery', data, undefined)).toEqual({ type: 'redirect', to: '/settings?flow=s1' });
  });

  it('settings, recovery and verification otherwise show the returned flow', () => {
    const flow = { id: 's1', state: 'success', ui: { nodes: [], messages: [{ id: 1050001 }] } };
    expect(afterSuccess('settings', flow, undefined)).toEqual({ type: 'render', flow });
  });
});
