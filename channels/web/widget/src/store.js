// The widget's localStorage, one key prefix per channel (switchboard:{public_id}:). Private modes that refuse
// storage just forget between page loads.

/** @typedef {{get(k: string): string|null, set(k: string, v: string|null): void}} Store */

/** @param {string} publicId @returns {Store} */
export function createStore(publicId) {
  const prefix = 'switchboard:' + publicId + ':';
  return {
    get: (k) => {
      try {
        return localStorage.getItem(prefix + k);
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        if (v == null) localStorage.removeItem(prefix + k);
        else localStorage.setItem(prefix + k, v);
      } catch {
        /* private mode */
      }
    },
  };
}
