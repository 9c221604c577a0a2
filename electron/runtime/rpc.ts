/**
 * Binds handlers to the contract. The result is a transport-neutral dispatcher: Electron's
 * ipcMain, the Playwright test bridge and the station's WebSocket all call `dispatch`, so every
 * transport validates requests with the same schemas and answers with the same envelopes.
 */
import { invokeChannels, isInvokeChannel, type Envelope, type InvokeChannel, type ParsedRequestOf, type ResponseOf } from '../../shared/contract';
import { OmrError, errorInfo, toErrorInfo, type Lang } from '../../shared/errors';

export interface CallContext {
  /** Who called: `ipc`, `test`, `ws:<id>`… (for per-client resources such as an open port). */
  client: string;
  /** Aborted when the caller goes away (window closed, socket dropped). */
  signal?: AbortSignal;
}

/** One handler per declared channel: a missing or an extra key is a type error. */
export type Handlers = {
  [C in InvokeChannel]: (request: ParsedRequestOf<C>, ctx: CallContext) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export interface Dispatcher {
  dispatch(channel: unknown, request: unknown, ctx: CallContext): Promise<Envelope<unknown>>;
}

export interface BindOptions {
  /** Language of error messages (follows the settings). */
  lang?: () => Lang;
  /** Called with unexpected (non-typed) errors, for the log. Never receives request payloads. */
  onInternalError?: (channel: string, error: unknown) => void;
}

export function bindContract(handlers: Handlers, options: BindOptions = {}): Dispatcher {
  // The run-time twin of the type check: every declared channel has a handler and nothing else.
  const declared = Object.keys(invokeChannels).sort();
  const bound = Object.keys(handlers).sort();
  const missing = declared.filter((c) => !bound.includes(c));
  const extra = bound.filter((c) => !declared.includes(c));
  if (missing.length || extra.length) {
    throw new Error(
      `IPC contract mismatch: ${missing.length ? `missing handlers for ${missing.join(', ')}` : ''}` +
        `${missing.length && extra.length ? '; ' : ''}${extra.length ? `handlers for undeclared channels ${extra.join(', ')}` : ''}`,
    );
  }
  const lang = options.lang ?? (() => 'en' as const);

  return {
    async dispatch(channel, request, ctx) {
      if (!isInvokeChannel(channel)) {
        return { ok: false, error: errorInfo('UNKNOWN_CHANNEL', String(channel).slice(0, 80), lang()) };
      }
      const schema = invokeChannels[channel].request;
      const parsed = schema.safeParse(request);
      if (!parsed.success) {
        const detail = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
          .join('; ');
        return { ok: false, error: errorInfo('INVALID_REQUEST', detail, lang()) };
      }
      try {
        const handler = handlers[channel] as (req: unknown, ctx: CallContext) => unknown;
        const value = await handler(parsed.data, ctx);
        return { ok: true, value };
      } catch (e) {
        if (!(e instanceof OmrError)) options.onInternalError?.(channel, e);
        return { ok: false, error: toErrorInfo(e, lang()) };
      }
    },
  };
}
