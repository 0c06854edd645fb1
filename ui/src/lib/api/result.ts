// Every call to the identity server goes through `call`, which never throws: the UI gets a
// value it must look at, and network failures are a status like any other (0).

/** The Ory error body: `{ error: { id, code, status, reason, message, details } }`. */
export interface ApiError {
  id?: string;
  code?: number;
  status?: string;
  reason?: string;
  message?: string;
  details?: Record<string, unknown>;
}

export interface Success<T> {
  ok: true;
  status: number;
  data: T;
  headers: Headers;
}

export interface Failure {
  ok: false;
  /** HTTP status; 0 when the server could not be reached at all. */
  status: number;
  /** The parsed JSON body (a flow for 400 validation errors, an error envelope otherwise). */
  body: Record<string, unknown> | null;
  /** `body.error` when the body is an Ory error envelope. */
  error: ApiError | null;
  headers: Headers | null;
}

export type Result<T> = Success<T> | Failure;

/** What the SDK's `…Raw` methods return. */
interface RawResponse<T> {
  raw: Response;
  value(): Promise<T>;
}

/** The SDK's `ResponseError` (kept structural so tests can build one). */
interface HasResponse {
  response: Response;
}

function hasResponse(e: unknown): e is HasResponse {
  return typeof e === 'object' && e !== null && 'response' in e && e.response instanceof Response;
}

/** Turns any HTTP response that is not a success into a `Failure`. */
export async function failureFrom(response: Response): Promise<Failure> {
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  const error =
    body && typeof body.error === 'object' && body.error !== null ? (body.error as ApiError) : null;
  return { ok: false, status: response.status, body, error, headers: response.headers };
}

/** Runs an SDK `…Raw` call and returns its outcome as a value. */
export async function call<T>(fn: () => Promise<RawResponse<T>>): Promise<Result<T>> {
  try {
    const res = await fn();
    const data = res.raw.status === 204 ? (undefined as T) : await res.value();
    return { ok: true, status: res.raw.status, data, headers: res.raw.headers };
  } catch (e) {
    if (hasResponse(e)) return failureFrom(e.response);
    return {
      ok: false,
      status: 0,
      body: null,
      error: {
        id: 'network_error',
        message: 'The identity server could not be reached. Check your connection and try again.'
      },
      headers: null
    };
  }
}
