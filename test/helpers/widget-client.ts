import { WebSocket } from 'ws';

// A visitor's socket as the widget opens it (docs/web-chat.md), recording every frame, for protocol tests.

export type Frame = Record<string, any>;

export interface WidgetSocket {
  ws: WebSocket;
  frames: Frame[];
  /** Messages received, by `message.id` (a repeat would show as a count above 1). */
  messages(): Frame[];
  send(frame: Frame): void;
  waitFor(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function openWidgetSocket(wsUrl: string, publicId: string, origin?: string): Promise<WidgetSocket> {
  const ws = new WebSocket(`${wsUrl}/widget/${publicId}/ws`, origin ? { origin } : {});
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Frame);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters) w();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    ws,
    frames,
    messages: () => frames.filter((f) => f.type === 'message').map((f) => f.message),
    send: (frame) => ws.send(JSON.stringify(frame)),
    waitFor: (pred, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = frames.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.type))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    closed,
  };
}

/** The HTTP status and body of an upgrade the server refused. */
export function refusedUpgrade(wsUrl: string, publicId: string, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/widget/${publicId}/ws`, origin ? { origin } : {});
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => {});
  });
}
