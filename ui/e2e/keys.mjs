// Security keys and passkeys in the browser test, with Chromium's virtual authenticator (CDP
// `WebAuthn` domain): it answers `navigator.credentials` by itself, user presence and
// verification included. WebAuthn needs a domain as RP ID, so these steps run on the
// stack's `localhost` origin (`nexus-auth dev` uses it on loopback).

/** A CTAP2 platform authenticator with resident keys (passkeys) on `page`; returns its remover. */
export async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true
    }
  });
  return {
    /** The credentials it holds (one per registered key). */
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    remove: () => cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
  };
}

/**
 * The WebAuthn steps. `t` holds the browser test's helpers: step, check, newPage, shot,
 * message, flowForm, fetchIn, signIn, signOut, TIMEOUT, run.
 */
export async function keySteps(origin, t) {
  const { step, check, shot, message, flowForm, fetchIn, TIMEOUT } = t;
  const KEYS = { email: `keys-${t.run}@example.test`, password: 'Brass-lantern-quartz-6620' };
  const PASSKEY = { email: `passkey-${t.run}@example.test` };
  const page = await t.newPage();
  const whoami = async () => JSON.parse((await fetchIn(page, '/sessions/whoami')).body);

  await step('security key: enrol one with a name in settings', async () => {
    await t.register(page, origin, KEYS);
    await page.waitForURL((u) => u.pathname === '/verification', { timeout: TIMEOUT });
    await virtualAuthenticator(page);
    await page.goto(`${origin}/settings`);
    await flowForm(page, '/settings');
    const card = page.locator('section[aria-labelledby=settings-webauthn]');
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'settings-security-keys');
    await card.locator('input[name=webauthn_register_displayname]').fill('Blue key');
    await card.locator('button[name=webauthn_register_trigger]').click();
    await message(page, '1050001');
    const remove = card.locator('button[name=webauthn_remove]');
    await remove.waitFor({ timeout: TIMEOUT });
    const row = card.locator('.key-row', { has: page.locator('button[name=webauthn_remove]') });
    check(/Blue key/.test(await row.textContent()), `the key is listed as: ${await row.textContent()}`);
    check(/Blue key/.test(await remove.getAttribute('aria-label')), 'the Remove button does not name the key');
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'settings-security-key-added');
  });

  await step('security key: the password sign-in continues to the key (aal2)', async () => {
    await t.signOut(page, origin);
    await t.signIn(page, origin, KEYS.email, KEYS.password);
    await flowForm(page, '/login');
    const trigger = page.locator('button[name=webauthn_login_trigger]');
    await trigger.waitFor({ timeout: TIMEOUT });
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor({ timeout: TIMEOUT });
    await shot(page, 'login-aal2-security-key');
    await trigger.click();
    await page.waitForURL((u) => u.pathname === '/', { timeout: TIMEOUT });
    await page.locator('.badge', { hasText: 'Two factors' }).waitFor({ timeout: TIMEOUT });
    const me = await whoami();
    check(me.authenticator_assurance_level === 'aal2', `after the key: ${me.authenticator_assurance_level}`);
    check(me.authentication_methods.some((m) => m.method === 'webauthn'), `methods: ${JSON.stringify(me.authentication_methods)}`);
  });

  await step('security key: removed in settings', async () => {
    await page.goto(`${origin}/settings`);
    await flowForm(page, '/settings');
    const card = page.locator('section[aria-labelledby=settings-webauthn]');
    await card.locator('button[name=webauthn_remove]').click();
    await message(page, '1050001');
    await card.locator('button[name=webauthn_register_trigger]').waitFor({ timeout: TIMEOUT });
    check((await card.locator('button[name=webauthn_remove]').count()) === 0, 'the key is still listed');
    await t.signOut(page, origin);
  });

  const passkeyPage = await t.newPage();
  let first;
  await step('passkey: sign up with a passkey (no password)', async () => {
    first = await virtualAuthenticator(passkeyPage);
    await passkeyPage.goto(`${origin}/registration`);
    await flowForm(passkeyPage, '/registration');
    await passkeyPage.fill('input[name="traits.email"]', PASSKEY.email);
    await passkeyPage.fill('input[name="traits.name.first"]', 'Grace');
    await passkeyPage.click('button[name=method][value=profile]');
    const trigger = passkeyPage.locator('button[name=passkey_register_trigger]');
    await trigger.waitFor({ timeout: TIMEOUT });
    await shot(passkeyPage, 'registration-passkey');
    await trigger.click();
    await passkeyPage.waitForURL((u) => u.pathname === '/verification' || u.pathname === '/', { timeout: TIMEOUT });
    const me = JSON.parse((await fetchIn(passkeyPage, '/sessions/whoami')).body);
    check(me.identity?.traits?.email === PASSKEY.email, `after passkey sign-up: ${JSON.stringify(me).slice(0, 300)}`);
    check(me.authentication_methods.some((m) => m.method === 'passkey'), `methods: ${JSON.stringify(me.authentication_methods)}`);
    check((await first.credentials()).length === 1, 'the authenticator holds no passkey');
  });

  await step('passkey: a second one added in settings, the first removed', async () => {
    // A new device: the first authenticator is gone (it would refuse to register twice).
    await first.remove();
    const second = await virtualAuthenticator(passkeyPage);
    await passkeyPage.goto(`${origin}/settings`);
    await flowForm(passkeyPage, '/settings');
    const card = passkeyPage.locator('section[aria-labelledby=settings-passkey]');
    check((await card.locator('button[name=passkey_remove]').count()) === 1, 'the sign-up passkey is not listed');
    await card.locator('button[name=passkey_register_trigger]').click();
    await message(passkeyPage, '1050001');
    const removes = card.locator('button[name=passkey_remove]');
    await removes.nth(1).waitFor({ timeout: TIMEOUT });
    await card.scrollIntoViewIfNeeded();
    await shot(passkeyPage, 'settings-passkeys');
    check((await second.credentials()).length === 1, 'the new authenticator holds no passkey');
    await removes.first().click();
    await message(passkeyPage, '1050001');
    await passkeyPage.waitForFunction(
      () => document.querySelectorAll('section[aria-labelledby=settings-passkey] button[name=passkey_remove]').length === 1,
      null,
      { timeout: TIMEOUT }
    );
    await t.signOut(passkeyPage, origin);
  });

  await step('passkey: sign in with it, no identifier typed', async () => {
    await passkeyPage.goto(`${origin}/login`);
    await flowForm(passkeyPage, '/login');
    const trigger = passkeyPage.locator('button[name=passkey_login_trigger]');
    await trigger.waitFor({ timeout: TIMEOUT });
    await shot(passkeyPage, 'login-passkey');
    await trigger.click();
    await passkeyPage.waitForURL((u) => u.pathname === '/', { timeout: TIMEOUT });
    await passkeyPage.getByRole('heading', { name: /Welcome/ }).waitFor({ timeout: TIMEOUT });
    const me = JSON.parse((await fetchIn(passkeyPage, '/sessions/whoami')).body);
    check(me.identity.traits.email === PASSKEY.email, `signed in as ${me.identity?.traits?.email}`);
    check(me.authentication_methods.some((m) => m.method === 'passkey'), `methods: ${JSON.stringify(me.authentication_methods)}`);
    await shot(passkeyPage, 'welcome-passkey');
  });
}
