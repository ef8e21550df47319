import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { CONSOLE_COOKIE } from './console-sessions.ts';

// The sign-in cookie: unreadable by scripts (HttpOnly), never sent by other sites (SameSite=Strict), and over
// TLS only when the gateway is served over https (PUBLIC_URL).

export function setConsoleCookie(c: Context, token: string, publicUrl: string, maxAgeMs: number): void {
  setCookie(c, CONSOLE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
    secure: publicUrl.startsWith('https:'),
  });
}

export function clearConsoleCookie(c: Context, publicUrl: string): void {
  deleteCookie(c, CONSOLE_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: publicUrl.startsWith('https:') });
}
