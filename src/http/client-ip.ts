// The visitor's IP address, for per-IP rate limits. Behind N reverse proxies that each append the address they
// saw to X-Forwarded-For, the client is the N-th entry from the right: anything further left was written by the
// client itself and proves nothing. With no trusted proxy the socket's peer is the client.

export function clientIp(peer: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops === 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[hops.length - trustedHops] ?? hops[0] ?? peer;
}
