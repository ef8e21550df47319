import { z } from 'zod';
import { clip } from './text.ts';

// One call to an OpenAI-compatible POST {base_url}/chat/completions (OpenAI, Azure's v1 API, Ollama, vLLM,
// llama.cpp, LM Studio all speak it). Every way it can fail ends in a ChatCompletionError with a kind and a message
// fit for the session history, so the responder can hand off saying why; only the caller's own abort (worker
// shutdown) propagates as itself, so the job is retried instead of the customer being handed off.

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The rest of a tool-calling exchange (https://platform.openai.com/docs/guides/function-calling): the assistant's
 * turn that asked for tools, repeated back with its `tool_calls`, and one `tool` message per call with the result.
 */
export type WireMessage =
  | ChatMessage
  | { role: 'assistant'; content: string | null; tool_calls: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  model: string;
  messages: WireMessage[];
  tools?: ChatTool[];
  tool_choice?: 'auto';
  response_format?: { type: 'json_object' };
}

export interface ChatReply {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

export type ChatFailure = 'timeout' | 'network' | 'http' | 'malformed';

export class ChatCompletionError extends Error {
  constructor(
    readonly kind: ChatFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ChatCompletionError';
  }
}

/**
 * How the call goes out: in the workers, the outbound guard (src/net/guarded-fetch.ts), since base_url is an admin's
 * choice; global fetch fits too (tests of the wire format).
 */
export type ModelFetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<Response>;

export interface Endpoint {
  /** As OpenAI SDKs take it, with the version: https://api.openai.com/v1, http://localhost:11434/v1. */
  base_url: string;
  api_key?: string;
  timeout_ms: number;
}

// Lenient where servers differ (content may be null or missing beside tool calls, ids may be absent on
// llama.cpp), strict where we depend on it.
const responseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(z.object({ id: z.string().optional(), function: z.object({ name: z.string(), arguments: z.string().optional() }) }))
            .nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

export async function chatCompletion(endpoint: Endpoint, body: ChatRequest, fetchFn: ModelFetch, signal: AbortSignal): Promise<ChatReply> {
  const timeout = AbortSignal.timeout(endpoint.timeout_ms);
  const combined = AbortSignal.any([signal, timeout]);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (endpoint.api_key) headers.authorization = `Bearer ${endpoint.api_key}`;
  const url = `${endpoint.base_url.replace(/\/+$/, '')}/chat/completions`;

  let status: number;
  let text: string;
  try {
    const res = await fetchFn(url, { method: 'POST', headers, body: JSON.stringify(body), signal: combined });
    status = res.status;
    text = await res.text(); // inside the try: a body that stalls is a timeout too
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) throw new ChatCompletionError('timeout', `no answer within ${endpoint.timeout_ms} ms`);
    const cause = (err as Error & { cause?: Error }).cause?.message;
    throw new ChatCompletionError('network', `request failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
  }

  if (status < 200 || status > 299) {
    throw new ChatCompletionError('http', `HTTP ${status}${errorMessage(text)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ChatCompletionError('malformed', `response is not JSON: ${clip(text, 80) || '(empty body)'}`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    throw new ChatCompletionError('malformed', `unexpected response shape: ${clip(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 160)}`);
  }
  const choice = parsed.data.choices[0]!;
  return {
    content: choice.message.content ?? null,
    toolCalls: (choice.message.tool_calls ?? []).map((c, i) => ({
      id: c.id ?? `call_${i}`,
      type: 'function',
      function: { name: c.function.name, arguments: c.function.arguments ?? '{}' },
    })),
    finishReason: choice.finish_reason ?? null,
  };
}

/** ": <message>" from an OpenAI-style error body ({ error: { message } }), or a clipped excerpt of the body. */
function errorMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string' && message) return `: ${clip(message, 160)}`;
  } catch {
    // not JSON: fall through to the raw excerpt
  }
  return text.trim() ? `: ${clip(text, 160)}` : '';
}
