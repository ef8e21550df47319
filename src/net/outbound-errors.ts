// The ways a guarded request fails on its own terms (not the peer's): the address is not allowed, the answer is
// too big, or it redirects too often or off http(s). Callers tell them apart with the helpers below, because undici's
// fetch wraps a connect failure in `TypeError: fetch failed` with the real error as its cause.

/** The resolved (or literal) address of a request is not one Switchboard may connect to. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'ERR_ADDRESS_NOT_ALLOWED';
  constructor(
    readonly host: string,
    /** Why, in words (address-policy.ts describeRefusal): "127.0.0.1 is a loopback address". */
    readonly reason: string,
  ) {
    super(`address not allowed: ${reason}`);
  }
}

/** The body is over the caller's byte limit (declared by Content-Length, or counted as it arrived). */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the response is over the ${maxBytes}-byte limit`);
  }
}

/** More redirects than the caller allows, or one to a scheme other than http(s). */
export class RedirectError extends Error {
  override name = 'RedirectError';
}

/** The first error of `type` in err's cause chain. */
function inChain<T extends Error>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

export const blockedAddressIn = (err: unknown) => inChain(err, BlockedAddressError);
export const tooLargeIn = (err: unknown) => inChain(err, ResponseTooLargeError);
export const redirectErrorIn = (err: unknown) => inChain(err, RedirectError);
