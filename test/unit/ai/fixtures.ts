import { type AiSettings, DEFAULT_AI_SETTINGS, type KnowledgeArticle, type ResponderInput, type TurnMessage } from '../../../src/ai/responder.ts';

// A small shop's knowledge base and helpers to build responder inputs, shared by the AI unit and integration tests.

export const KNOWLEDGE: KnowledgeArticle[] = [
  {
    id: 'kb-refunds',
    title: 'Refund policy',
    tags: ['billing', 'returns'],
    body: [
      '## Refunds',
      'You can return any item within 30 days of delivery for a full refund. Refunds go back to the original payment method within 5 business days after we receive the item.',
      'Items must be unused and in their original packaging. Sale items and gift cards cannot be refunded.',
      '## Exchanges',
      'To exchange an item for another size or colour, start a return and place a new order; we waive the shipping fee on the new order.',
    ].join('\n\n'),
  },
  {
    id: 'kb-shipping',
    title: 'Shipping times',
    tags: ['delivery'],
    body: [
      'Orders ship within 1 business day. Standard delivery takes 3-5 business days in the US and 7-14 business days internationally.',
      'Express shipping delivers in 1-2 business days and costs $15. You get a tracking link by email as soon as your parcel leaves our warehouse.',
    ].join('\n\n'),
  },
  {
    id: 'kb-password',
    title: 'Resetting your password',
    tags: ['account', 'login'],
    body: [
      'To reset your password, click "Forgot password" on the sign-in page and enter the email address of your account. We send a reset link that is valid for 1 hour.',
      'If the email does not arrive, check your spam folder or ask us to resend it.',
    ].join('\n\n'),
  },
  {
    id: 'kb-reembolsos',
    title: 'Política de reembolsos',
    tags: ['facturación'],
    body: 'Puedes devolver cualquier artículo en un plazo de 30 días desde la entrega para obtener un reembolso completo. El reembolso se hace al método de pago original en un máximo de 5 días hábiles.',
  },
];

export const SETTINGS: AiSettings = structuredClone(DEFAULT_AI_SETTINGS);

const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, i));

/** A turn: earlier history plus this turn's customer messages (which the history also ends with, as in production). */
export function turn(
  pending: string | string[],
  opts: { history?: Array<[TurnMessage['sender'], string]>; session?: Partial<ResponderInput['session']>; failedAttempts?: number; knowledge?: KnowledgeArticle[] } = {},
): ResponderInput {
  const earlier = (opts.history ?? []).map(([sender, text], i): TurnMessage => ({ sender, text, at: at(i) }));
  const now = (Array.isArray(pending) ? pending : [pending]).map((text, i): TurnMessage => ({ sender: 'contact', text, at: at(earlier.length + i) }));
  return {
    orgId: 'org-1',
    session: { id: 'ses-1', customData: {}, priority: 'normal', language: null, contactName: 'Ada', ...opts.session },
    history: [...earlier, ...now],
    pending: now,
    knowledge: opts.knowledge ?? KNOWLEDGE,
    failedAttempts: opts.failedAttempts ?? 0,
  };
}

export const signal = () => new AbortController().signal;
