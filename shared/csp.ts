/**
 * Content-Security-Policy of the renderer: only the app's own scripts and styles, no inline
 * script, no eval, no remote content. `connect-src 'self'` lets the browser build of the station
 * reach its own WebSocket.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
