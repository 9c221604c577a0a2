/**
 * The virtual E450's COSEM application behind the IEC 62056-47 wrapper (DLMS over TCP/UDP
 * without HDLC): each APDU comes in an 8-byte header (version 1, source wPort, destination wPort,
 * length). The destination must be the server's logical device; the source is the client SAP.
 * Same machine shape as the HDLC server, so the same runner carries it (faults included: every
 * answer counts as an information frame).
 */
import { concat } from '../../engine/dlms/bytes';
import { encodeWrapper } from '../../engine/dlms/transport';
import { CosemApplication } from './association';
import { createDlmsMeterState, type DlmsMeterState, type DlmsServerOptions, type ServerAction } from './server';

/** Longest buffered input without a whole wrapper message: anything longer is dropped. */
const MAX_BUFFER = 0x10000 + 8;

export class WrapperServer {
  readonly state: DlmsMeterState;
  readonly app: CosemApplication;
  private readonly logical: number;
  private buf: Uint8Array = new Uint8Array(0);

  constructor(o: DlmsServerOptions = {}) {
    this.state = o.state ?? createDlmsMeterState(o);
    this.logical = o.logicalDevice ?? 1;
    this.app = new CosemApplication({
      ...o,
      model: this.state.model,
      security: this.state.security,
      systemTitle: this.state.systemTitle,
      serverSap: this.logical,
    });
  }

  start(): ServerAction[] {
    return [];
  }

  receive(bytes: Uint8Array, now: number): ServerAction[] {
    this.buf = concat(this.buf, bytes);
    const out: ServerAction[] = [];
    while (this.buf.length >= 8) {
      const b = this.buf;
      const version = (b[0]! << 8) | b[1]!;
      const source = (b[2]! << 8) | b[3]!;
      const dest = (b[4]! << 8) | b[5]!;
      const len = (b[6]! << 8) | b[7]!;
      if (version !== 1) {
        this.buf = new Uint8Array(0);
        out.push({ type: 'event', event: { type: 'frame-error', detail: `wrapper version ${version}` } });
        break;
      }
      if (b.length < 8 + len) break;
      const apdu = b.slice(8, 8 + len);
      this.buf = b.slice(8 + len);
      if (dest !== this.logical) {
        out.push({ type: 'event', event: { type: 'refused', detail: `wrapper message for wPort ${dest} (this meter is ${this.logical})` } });
        continue;
      }
      const a = this.app.handle(source, apdu, now);
      out.push(...a.events.map((event): ServerAction => ({ type: 'event', event })));
      out.push({
        type: 'send',
        bytes: encodeWrapper(dest, source, a.apdu),
        summary: a.summary,
        frame: 'I',
        ...(a.block !== undefined ? { block: a.block } : {}),
      });
    }
    if (this.buf.length > MAX_BUFFER) this.buf = new Uint8Array(0);
    return out;
  }

  tick(): ServerAction[] {
    return [];
  }
}
