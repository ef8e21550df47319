import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './server.ts';

// A throwaway IMAP server: Debian's dovecot, run in the foreground as whoever runs the tests (root in CI, a normal
// user locally), plain IMAP on a free loopback port, one maildir user. Real IMAP semantics (UIDVALIDITY, `n:*`,
// \Seen) are what the poller must get right, so no fake server.

const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  user: string;
  pass: string;
  /** Appends one message to INBOX (unseen unless flags say otherwise). */
  append(raw: string | Buffer, flags?: string[]): Promise<void>;
  /** INBOX uids carrying \Seen, ascending. */
  seenUids(): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) {
    throw new Error(`dovecot is not installed (${DOVECOT} missing): run \`bash scripts/ensure-system.sh dovecot\` (as root, or sudo apt-get install -y dovecot-imapd)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sb-dovecot-'));
  const port = await freePort();
  const user = 'support';
  const pass = 'imap-test-password';
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  const accounts = serviceAccounts();
  if (accounts.root) {
    // Dovecot's processes (now other users) must reach base_dir, the passwd file and the maildir.
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'mail'), accounts.mail.uid, accounts.mail.gid);
  }
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${pass}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'dovecot.conf'), config({ dir, port, ...accounts }));

  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // dovecot -F outlives a test process that exits without stop(): take it down too.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForPort(port, child, () => `${stderr}\n${readLog(dir)}`);
  } catch (err) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    pass,
    append: async (raw, flags = []) => {
      await withClient((c) => c.append('INBOX', raw, flags));
    },
    seenUids: () =>
      withClient(async (c) => {
        const lock = await c.getMailboxLock('INBOX');
        try {
          const uids = await c.search({ seen: true }, { uid: true });
          return (uids || []).sort((a, b) => a - b);
        } finally {
          lock.release();
        }
      }),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Account {
  name: string;
  uid: number;
  gid: number;
  group: string;
}

interface Accounts {
  root: boolean;
  /** default_internal_user (auth, anvil, stats…). */
  internal: Account;
  /** default_login_user (imap-login, which faces the network). */
  login: Account;
  /** Owner of the maildir (the userdb's uid/gid). */
  mail: Account;
}

/**
 * Unprivileged, dovecot can't switch users: every process runs as the current user. As root it refuses root for
 * imap-login ("must not be run as root") and for mail access (uid 0), so it gets the accounts Debian's package made.
 */
function serviceAccounts(): Accounts {
  const me = userInfo();
  if (me.uid !== 0) {
    const self = { name: me.username, uid: me.uid, gid: me.gid, group: groupName(me.gid) };
    return { root: false, internal: self, login: self, mail: self };
  }
  const dovecot = systemAccount('dovecot');
  return { root: true, internal: dovecot, login: systemAccount('dovenull'), mail: dovecot };
}

function systemAccount(name: string): Account {
  const fields = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name);
  if (!fields) throw new Error(`user '${name}' missing (made by Debian's dovecot-core): run \`bash scripts/ensure-system.sh dovecot\``);
  const [uid, gid] = [Number(fields[2]), Number(fields[3])];
  return { name, uid, gid, group: groupName(gid) };
}

/** Nothing chroots: an unprivileged master can't, and the test needs no jail. */
function config({ dir, port, internal, login, mail }: Accounts & { dir: string; port: number }): string {
  return `protocols = imap
listen = 127.0.0.1
instance_name = sb-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internal.name}
default_internal_group = ${internal.group}
default_login_user = ${login.name}
first_valid_uid = ${mail.uid}
first_valid_gid = ${mail.gid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mail.uid} gid=${mail.gid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return '';
  }
}

/** Until the port accepts a connection; fails early, with dovecot's own words, if it exits first. */
async function waitForPort(port: number, child: ChildProcess, diagnostics: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dovecot exited before listening:\n${diagnostics()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${diagnostics()}`);
}
