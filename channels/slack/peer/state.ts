// What the Slack peer remembers: one workspace with one installed bot, the tokens that are valid for it, and
// everything the app under test did (posted messages, uploads, installs, every Web API call).

export interface SlackCredentials {
  signingSecret: string;
  botToken: string;
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
  clientId: string;
  clientSecret: string;
}

export interface PostedMessage {
  channel: string;
  text: string;
  thread_ts?: string;
  blocks?: unknown;
  token: string;
  ts: string;
  at: Date;
}

export interface SlackUpload {
  file_id: string;
  filename: string;
  title: string;
  bytes: Buffer;
  channel_id?: string;
  thread_ts?: string;
  initial_comment?: string;
  at: Date;
}

export interface SlackInstall {
  access_token: string;
  code: string;
  redirect_uri: string;
  scope: string;
  team_id: string;
  at: Date;
}

export interface SlackCall {
  method: string;
  token?: string;
  at: Date;
}

/** A file as Slack describes it in message events and files.* answers. */
export interface SlackFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url_private: string;
  url_private_download: string;
}

export interface SlackUserProfile {
  realName: string;
  displayName?: string;
  email?: string;
}

export interface StoredFile extends SlackFile {
  title: string;
  bytes: Buffer;
  created: number;
}

/** An upload slot handed out by files.getUploadURLExternal, filled by the POST to its upload_url. */
export interface PendingUpload {
  file_id: string;
  filename: string;
  length: number;
  bytes?: Buffer;
}

export interface SlackState {
  creds: SlackCredentials;
  url: () => string;
  nextTs: () => string;
  /** The bot token plus every token oauth.v2.access issued, each with its granted scopes. */
  tokens: Map<string, string>;
  users: Map<string, SlackUserProfile>;
  files: Map<string, StoredFile>;
  pending: Map<string, PendingUpload>;
  /** Authorization codes from the authorize redirect, until oauth.v2.access spends them. */
  codes: Map<string, { clientId: string; redirectUri: string; scope: string }>;
  posted: PostedMessage[];
  uploads: SlackUpload[];
  installs: SlackInstall[];
  calls: SlackCall[];
  /** What the app posted to an interaction's response_url (https://api.slack.com/interactivity/handling#message_responses). */
  responses: Array<{ path: string; body: unknown }>;
  rateLimited: { remaining: number; retryAfterSeconds: number };
  failures: Map<string, Array<string>>;
}

export const DEFAULT_SCOPES =
  'app_mentions:read,chat:write,im:history,channels:history,groups:history,mpim:history,users:read,users:read.email,files:read,files:write';
