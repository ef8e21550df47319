import type { RawData, WebSocket } from 'ws';
import type { CustomData } from '../../../src/domain/contacts/custom-data.ts';
import type { RealtimeSignal } from '../../../src/domain/model/realtime.ts';
import { AppError, RateLimitedError } from '../../../src/errors.ts';
import { fromDatabaseError } from '../../../src/http/db-errors.ts';
import type { Logger } from '../../../src/logger.ts';
import type { Listener, RealtimeHub } from './hub.ts';
import { type AcceptDeps, acceptVisitorMessage } from './accept-message.ts';
import { loadFeed } from './feed.ts';
import { type ClientFrame, clientFrame } from './schemas.ts';
import { rateFromWidget } from './visitor-rating.ts';
import { type Visitor, visitorFromToken } from './visitors.ts';
import type { WebChannel } from './web-channel.ts';
import { widgetMessage } from './widget-message.ts';

// One visitor socket (protocol: docs/web-chat.md). After a good hello it listens to the visitor's doorbell and,
// on each ring, sends the feed rows it has not sent yet. `lastSeq` and the recently sent ids make that exact:
// the feed is re-read from lastSeq *and* over the last RECHECK_MS, so a row that committed late with a lower seq
// is still sent, and a row already sent is not sent again.

const HELLO_TIMEOUT_MS = 10_000;
const RECHECK_MS = 30_000;
const PAGE = 200;
const FIRST_PAGE = 100;
/** A socket that cannot drain this much is too slow to keep; it reconnects and resumes. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** One per gateway, shared by its sockets. `closed`: after a socket's connection is done with. */
export interface ConnectionContext {
  deps: AcceptDeps & { config: { secret: string; publicUrl: string } };
  hub: RealtimeHub;
  logger: Logger;
  closed(ws: WebSocket): void;
}

// What a held socket costs is what it keeps (bench: the heap census in `npm run bench`), so the socket's listeners
// are these module functions, finding their connection by the socket, not three closures and a context per socket;
// the hello timer is dropped once hello came; `recent` exists only while it has ids.
const connectionOf = new WeakMap<WebSocket, WidgetConnection>();
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  void connectionOf.get(this)?.onFrame(isBinary ? null : data.toString());
}
function onClose(this: WebSocket): void {
  connectionOf.get(this)?.dispose();
  connectionOf.delete(this);
}
// `ws` always follows 'error' with 'close'; a listener must exist, or the emitter throws.
function onError(): void {}
function onHelloTimeout(connection: WidgetConnection): void {
  connection.fail('auth', 'No hello within 10 s', 4401);
}

export class WidgetConnection implements Listener {
  private visitor: Visitor | undefined;
  private customData: CustomData | undefined;
  private lastSeq = 0;
  private recent: Map<string, number> | undefined;
  private pumping = false;
  private again = false;
  private helloTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly channel: WebChannel,
    private readonly ctx: ConnectionContext,
    private readonly ip: string | undefined,
  ) {
    this.helloTimer = setTimeout(onHelloTimeout, HELLO_TIMEOUT_MS, this);
    connectionOf.set(ws, this);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  async onFrame(raw: string | null): Promise<void> {
    let frame: ClientFrame;
    try {
      const parsed = clientFrame.safeParse(raw === null ? null : JSON.parse(raw));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const message = `Invalid frame: ${issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'unknown shape'}`;
        // Before a good hello there is no conversation to keep: a bad first frame is a protocol error (1008).
        return this.visitor ? this.write({ type: 'error', code: 'invalid', message }) : this.fail('invalid', message, 1008);
      }
      frame = parsed.data;
    } catch {
      return this.write({ type: 'error', code: 'invalid', message: 'Frames are JSON text' });
    }
    if (frame.type === 'hello') return this.hello(frame);
    if (!this.visitor) return this.fail('auth', 'Send hello first', 4401);
    if (frame.type === 'send') return this.send(frame);
    if (frame.type === 'ping') return this.write({ type: 'pong' });
    if (frame.type === 'rate') return this.rate(frame);
    // `typing` from the visitor: accepted; agents' views of it arrive with the console.
  }

  private async hello(frame: Extract<ClientFrame, { type: 'hello' }>): Promise<void> {
    if (this.visitor) return;
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    try {
      this.visitor = await visitorFromToken(this.ctx.deps.db, this.ctx.deps.config.secret, this.channel, frame.token);
    } catch {
      return this.fail('auth', 'Invalid or expired visitor token', 4401);
    }
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.customData = frame.custom_data;
    this.lastSeq = frame.after_seq;
    for (const id of frame.seen_ids) this.remember(id, Date.now());
    this.ctx.hub.subscribe(this.visitor.contactId, this);
    this.write({ type: 'ready', contact_id: this.visitor.contactId });
    await this.pump(frame.after_seq === 0);
  }

  private async send(frame: Extract<ClientFrame, { type: 'send' }>): Promise<void> {
    try {
      const ack = await acceptVisitorMessage(this.ctx.deps, this.channel, this.visitor!, {
        clientMsgId: frame.client_msg_id,
        text: frame.text,
        customData: this.customData,
        ip: this.ip,
      });
      this.write({ type: 'ack', ...ack });
    } catch (err) {
      const base = { type: 'nack', client_msg_id: frame.client_msg_id };
      if (err instanceof RateLimitedError) return this.write({ ...base, code: 'rate_limited', message: err.message, retry_after_ms: err.retryAfterMs });
      // Input the database refused (a value it cannot store) is the visitor's to fix, as over HTTP: not retried.
      const refused = err instanceof AppError ? err : fromDatabaseError(err);
      if (refused && refused.status < 500) {
        const tooLong = /\d+ characters; the limit is/.test(refused.message);
        return this.write({ ...base, code: tooLong ? 'too_long' : 'invalid', message: refused.message });
      }
      const ids = { channelId: this.channel.id, contactId: this.visitor!.contactId, clientMsgId: frame.client_msg_id };
      this.ctx.logger.warn({ err, ...ids, textLength: frame.text.length }, 'widget message not accepted');
      this.write({ ...base, code: 'unavailable', message: 'The message could not be stored: it will be retried' });
    }
  }

  private async rate(frame: Extract<ClientFrame, { type: 'rate' }>): Promise<void> {
    try {
      await rateFromWidget(this.ctx.deps.db, this.channel.id, this.visitor!, frame);
      this.write({ type: 'rated', session_id: frame.session_id, score: frame.score });
    } catch (err) {
      if (!(err instanceof AppError)) this.ctx.logger.warn({ err, channelId: this.channel.id }, 'widget rating not stored');
      const code = err instanceof AppError && err.status < 500 ? 'invalid' : 'unavailable';
      this.write({ type: 'error', code, message: err instanceof AppError ? err.message : 'The rating could not be stored' });
    }
  }

  signal(signal: RealtimeSignal): void {
    if (signal.kind === 'doorbell') void this.pump(false);
    else this.write({ type: 'typing', sender: signal.sender, active: signal.active });
  }

  /** Send what the socket has not had. Rings during a pump make it go round once more, never twice at once. */
  private async pump(firstPage: boolean): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      let newestFirst = firstPage;
      do {
        this.again = false;
        const now = Date.now();
        this.forgetBefore(now - RECHECK_MS - 10_000);
        const limit = newestFirst ? FIRST_PAGE : PAGE;
        const rows = await loadFeed(this.ctx.deps.db, {
          channelId: this.channel.id,
          contactId: this.visitor!.contactId,
          afterSeq: this.lastSeq,
          alsoSince: new Date(now - RECHECK_MS),
          limit,
          newestFirst,
        });
        newestFirst = false;
        const opts = { aiName: this.channel.config.theme.ai_name, publicUrl: this.ctx.deps.config.publicUrl, secret: this.ctx.deps.config.secret };
        for (const row of rows) {
          if (this.recent?.has(row.id)) continue;
          if (this.ws.readyState !== this.ws.OPEN) return;
          this.write({ type: 'message', message: widgetMessage(row, opts) });
          this.remember(row.id, row.createdAt.getTime());
          this.lastSeq = Math.max(this.lastSeq, row.seq);
        }
        if (rows.length === limit) this.again = true;
      } while (this.again && this.ws.readyState === this.ws.OPEN);
    } catch (err) {
      // The database is away: the next ring (or the visitor's reconnect) tries again.
      this.ctx.logger.warn({ err }, 'widget feed read failed');
    } finally {
      this.pumping = false;
    }
  }

  private write(frame: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.fail('slow', 'The connection is too slow', 1013);
    this.ws.send(JSON.stringify(frame));
  }

  private remember(id: string, at: number): void {
    (this.recent ??= new Map()).set(id, at);
  }

  private forgetBefore(cutoff: number): void {
    if (!this.recent) return;
    for (const [id, at] of this.recent) if (at < cutoff) this.recent.delete(id);
    if (this.recent.size === 0) this.recent = undefined;
  }

  fail(code: string, message: string, closeCode: number): void {
    this.write({ type: 'error', code, message });
    this.ws.close(closeCode, message.slice(0, 120));
  }

  dispose(): void {
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    if (this.visitor) this.ctx.hub.unsubscribe(this.visitor.contactId, this);
    this.ctx.closed(this.ws);
  }
}
