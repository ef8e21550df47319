import type { Deps } from '../../deps.ts';
import { newRouter } from '../router.ts';

// Stub: to be written.
export function widgetAuthRoutes(_deps: Deps) {
  const app = newRouter();
  return app;
}
