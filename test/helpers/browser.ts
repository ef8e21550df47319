import { type Browser, chromium } from 'playwright-core';

// Debian's chromium, headless, as the browser tests drive it (no --user-data-dir, no downloads
// of playwright's own browsers). Screenshots go to SHOTS, which the README names and CI keeps.

export const SHOTS = 'artifacts/screenshots';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
