import type { Tx } from '../../db/client.ts';
import { knowledge } from '../../db/schema/index.ts';

// What a brand-new install answers from, so the /demo page shows the AI at work in its first minute. Written only
// for the first organization of an empty database, tagged `demo` so an admin can find and delete it.

const ARTICLES = [
  {
    title: 'Returns and refunds',
    body:
      'You can return any item within 30 days of delivery for a full refund. Start a return from your order page; ' +
      'we email a prepaid return label. Refunds reach your card 3 to 5 business days after the item arrives back.',
  },
  {
    title: 'Shipping times',
    body:
      'Standard shipping takes 3 to 5 business days and is free over $50. Express shipping takes 1 to 2 business days ' +
      'for $12. Orders placed before 2 pm ship the same day. You get a tracking link by email when your order ships.',
  },
  {
    title: 'Warranty',
    body:
      'Every tent, backpack and jacket has a two-year warranty against defects in materials and workmanship. ' +
      'Send a photo of the problem and your order number, and we repair or replace the item at no cost.',
  },
];

export async function addDemoKnowledge(tx: Tx, orgId: string): Promise<void> {
  await tx.insert(knowledge).values(ARTICLES.map((a) => ({ orgId, ...a, tags: ['demo'] })));
}
