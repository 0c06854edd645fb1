// The admin API, reached through the same-origin prefix the gateway protects (ADMIN_API_PREFIX).
import { CourierApi, IdentityApi } from '@ory/client-fetch';
import { configuration } from '$lib/api/client';
import { ADMIN_API_PREFIX } from '$lib/config';

let identity: IdentityApi | undefined;
let courier: CourierApi | undefined;
let schemas: IdentityApi | undefined;

const base = () => location.origin + ADMIN_API_PREFIX;

/** Identities, sessions and recovery codes/links (`/admin/identities`, `/admin/sessions`, …). */
export function identityApi(): IdentityApi {
  identity ??= new IdentityApi(configuration(base()));
  return identity;
}

/** Courier messages (`/admin/courier/messages`). */
export function courierApi(): CourierApi {
  courier ??= new CourierApi(configuration(base()));
  return courier;
}

/** Identity schemas are public (`/schemas`), so they are read from the public API. */
export function schemaApi(): IdentityApi {
  schemas ??= new IdentityApi(configuration(location.origin));
  return schemas;
}
