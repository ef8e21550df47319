/** The pub/sub channel of one contact's sockets; under the queue prefix so two installs can share one Redis. */
export const contactTopic = (prefix: string, contactId: string): string => `${prefix}:rt:${contactId}`;
