import { expect, it } from 'vitest';
import { advances } from '../../src/domain/outbound/delivery-status.ts';

it('moves a delivery status forward only', () => {
  expect(advances('queued', 'sent')).toBe(true);
  expect(advances('sent', 'delivered')).toBe(true);
  expect(advances('delivered', 'read')).toBe(true);
  // A late `sent` after `delivered` (callbacks arrive out of order) changes nothing.
  expect(advances('delivered', 'sent')).toBe(false);
  expect(advances('read', 'delivered')).toBe(false);
  expect(advances('sent', 'sent')).toBe(false);
});

it('lets a failure follow queued or sent, never a delivered message, and nothing follow a failure', () => {
  expect(advances('sent', 'undelivered')).toBe(true);
  expect(advances('queued', 'failed')).toBe(true);
  expect(advances('delivered', 'failed')).toBe(false);
  expect(advances('failed', 'delivered')).toBe(false);
  expect(advances('undelivered', 'failed')).toBe(false);
  expect(advances(null, 'sent')).toBe(true);
});
