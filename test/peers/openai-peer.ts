import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local OpenAI-compatible server (node:http on port 0) for the openai responder's tests. It speaks the
// chat-completions wire format, validates requests the way the real API does (and records what it found wrong),
// and answers from a script the test queues: a reply, a tool call, an error status, a slow answer, a broken body.

export type PeerReply =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; args: unknown }
  | { kind: 'status'; status: number; message?: string }
  | { kind: 'raw'; body: string; status?: number }
  | { kind: 'slow'; ms: number; then: PeerReply };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** What the peer found wrong with the request; a 400 was sent when non-empty. */
  problems: string[];
}

export interface OpenAiPeer {
  /** As clients are configured: http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(...replies: PeerReply[]): void;
  close(): Promise<void>;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

export async function startOpenAiPeer(opts: { apiKey?: string } = {}): Promise<OpenAiPeer> {
  const script: PeerReply[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      const problems: string[] = [];
      try {
        body = JSON.parse(raw);
      } catch {
        problems.push('body is not JSON');
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') problems.push(`unexpected ${req.method} ${req.url}`);
      if (!String(req.headers['content-type']).startsWith('application/json')) problems.push('content-type is not application/json');
      if (body) problems.push(...validate(body));
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, problems });

      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      if (problems.length) return sendJson(res, 400, { error: { message: problems.join('; '), type: 'invalid_request_error' } });
      play(res, script.shift() ?? { kind: 'status', status: 500, message: 'peer: no scripted reply' }, body.model);
    });
  });

  function play(res: ServerResponse, reply: PeerReply, model: string): void {
    if (reply.kind === 'slow') {
      const t = setTimeout(() => (timers.delete(t), play(res, reply.then, model)), reply.ms);
      timers.add(t);
      return;
    }
    if (reply.kind === 'status') return sendJson(res, reply.status, { error: { message: reply.message ?? 'The server had an error.', type: 'server_error' } });
    if (reply.kind === 'raw') {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      return void res.end(reply.body);
    }
    const message =
      reply.kind === 'text'
        ? { role: 'assistant', content: reply.text, refusal: null }
        : {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: `call_${randomUUID().slice(0, 8)}`, type: 'function', function: { name: reply.name, arguments: JSON.stringify(reply.args) } }],
          };
    sendJson(res, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls' }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => void script.push(...replies),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The checks the real endpoint makes that a client can get wrong. */
function validate(body: any): string[] {
  const problems: string[] = [];
  if (typeof body.model !== 'string' || !body.model) problems.push('model: required string');
  if (!Array.isArray(body.messages) || !body.messages.length) problems.push('messages: required non-empty array');
  for (const [i, m] of (Array.isArray(body.messages) ? body.messages : []).entries()) {
    if (!ROLES.includes(m?.role)) problems.push(`messages[${i}].role: invalid ${m?.role}`);
    if (typeof m?.content !== 'string' && !(m?.role === 'assistant' && m?.content === null && m?.tool_calls)) problems.push(`messages[${i}].content: must be a string`);
  }
  problems.push(...toolExchangeProblems(Array.isArray(body.messages) ? body.messages : []));
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) problems.push('tools: must be an array');
    for (const [i, t] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
      if (t?.type !== 'function') problems.push(`tools[${i}].type: must be "function"`);
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t?.function?.name ?? '')) problems.push(`tools[${i}].function.name: invalid`);
      if (t?.function?.parameters?.type !== 'object') problems.push(`tools[${i}].function.parameters: must be a JSON schema object`);
    }
  }
  if (body.tool_choice !== undefined && body.tools === undefined) problems.push('tool_choice: only allowed when tools are given');
  if (body.response_format?.type === 'json_object' && !JSON.stringify(body.messages).toLowerCase().includes('json')) {
    problems.push("messages: must contain the word 'json' to use response_format json_object");
  }
  return problems;
}

/**
 * What the API requires of a tool-calling exchange (https://platform.openai.com/docs/guides/function-calling): every
 * `tool` message answers, by tool_call_id, a call of the assistant message before it, and every call is answered.
 */
function toolExchangeProblems(messages: any[]): string[] {
  const problems: string[] = [];
  let open = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m?.role === 'tool') {
      if (!open.delete(m.tool_call_id)) problems.push(`messages[${i}].tool_call_id: answers no pending tool call`);
      continue;
    }
    if (open.size) problems.push(`messages[${i}]: tool calls ${[...open].join(', ')} were not answered`);
    open = new Set(m?.role === 'assistant' && Array.isArray(m.tool_calls) ? m.tool_calls.map((c: any) => c?.id) : []);
  }
  return problems;
}
