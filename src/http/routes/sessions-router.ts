import type { newRouter } from '../router.ts';

// The router the /chat/sessions* route files add their routes to (sessions.ts makes it), named here so the
// route files that take it need not import sessions.ts, which imports them.

export type SessionRouter = ReturnType<typeof newRouter>;
