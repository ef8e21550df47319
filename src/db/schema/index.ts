// The only re-export hub in the tree: drizzle and drizzle-kit read the whole schema from here.
export * from './enums.ts';
export * from './organizations.ts';
export * from './channels.ts';
export * from './contacts.ts';
export * from './sessions.ts';
export * from './messages.ts';
export * from './people.ts';
export * from './knowledge.ts';
export * from './canned.ts';
export * from './events.ts';
export * from './mail.ts';
export * from './actions.ts';
export * from './csat.ts';
