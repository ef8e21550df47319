import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// The process's Prometheus instruments, on a Registry of its own rather than prom-client's global one: createDeps
// makes one per process (and per test app), so apps side by side in a test never count into each other, and a
// second registration of a name can never throw. Labels are small closed sets (route patterns, channel kinds,
// outcomes): never ids, addresses or raw paths.

/** What a turn ended with. `failed`: the responder threw, and the session was handed off for it. */
export type TurnOutcomeLabel = 'answered' | 'resolved' | 'handed_off' | 'failed' | 'human_owns';

/**
 * What one reply's dispatch attempt ended with; the error ones name DeliveryError's retry class
 * (`failed_exhausted`: a `later` error on the last attempt; anything not a DeliveryError counts as `later`).
 */
export type DispatchOutcome =
  | 'sent'
  | 'reconciled'
  | 'opted_out'
  | 'rate_limited'
  | 'retry_later'
  | 'failed_never'
  | 'failed_exhausted';

/** One webhook POST: 2xx, 410 (the endpoint is disabled), another status, no answer, or an address refused. */
export type WebhookResult = 'delivered' | 'gone' | 'http_error' | 'no_response' | 'refused';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly messagesAccepted: Counter<'channel'>;
  readonly messagesDuplicate: Counter<'channel'>;
  /** Ingress answered 503 because this process was behind (src/http/load-shedding.ts). */
  readonly requestsShed: Counter<string>;
  readonly turns: Counter<'outcome'>;
  readonly turnLatency: Histogram<'outcome'>;
  readonly dispatches: Counter<'channel' | 'outcome'>;
  readonly dispatchLatency: Histogram<'channel'>;
  readonly webhookDeliveries: Counter<'result'>;
  readonly widgetSockets: Gauge;
}

const SECONDS_HTTP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Turns wait TURN_BURST_MS (0.7 s) before asking the AI, and a model may take many seconds. */
const SECONDS_TURN = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120];
const SECONDS_DELIVERY = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'switchboard_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'switchboard_http_request_duration_seconds',
      help: 'Time from a request arriving to its response, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_HTTP,
      registers,
    }),
    messagesAccepted: new Counter({
      name: 'switchboard_messages_accepted_total',
      help: 'Customer messages stored (committed), by channel kind',
      labelNames: ['channel'],
      registers,
    }),
    requestsShed: new Counter({
      name: 'switchboard_requests_shed_total',
      help: 'Ingress requests answered 503 + Retry-After because accepted messages waited longer than SHED_AFTER_MS',
      registers,
    }),
    messagesDuplicate: new Counter({
      name: 'switchboard_messages_duplicate_total',
      help: 'Customer messages recognised as repeats of a stored one (same provider message id), by channel kind',
      labelNames: ['channel'],
      registers,
    }),
    turns: new Counter({
      name: 'switchboard_turns_total',
      help: 'Turns committed, by outcome (answered, resolved, handed_off, failed, human_owns)',
      labelNames: ['outcome'],
      registers,
    }),
    turnLatency: new Histogram({
      name: 'switchboard_turn_latency_seconds',
      help: "Time from a turn's oldest customer message being accepted to the turn's outcome committed",
      labelNames: ['outcome'],
      buckets: SECONDS_TURN,
      registers,
    }),
    dispatches: new Counter({
      name: 'switchboard_dispatch_total',
      help: 'Reply dispatch attempts, by channel kind and outcome (error outcomes name the retry class)',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
    dispatchLatency: new Histogram({
      name: 'switchboard_dispatch_latency_seconds',
      help: 'Time from a reply being stored to its channel accepting it, by channel kind',
      labelNames: ['channel'],
      buckets: SECONDS_DELIVERY,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'switchboard_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by result (delivered, gone, http_error, no_response, refused)',
      labelNames: ['result'],
      registers,
    }),
    widgetSockets: new Gauge({
      name: 'switchboard_widget_sockets_open',
      help: 'Web chat WebSockets open on this process',
      registers,
    }),
  };
}
