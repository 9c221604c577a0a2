/**
 * What every link shares: listeners, the current line settings and 7E1 done in software (see
 * parity.ts). Subclasses move raw 8-bit bytes.
 */
import { OmrError } from '../../shared/errors';
import { addParity, ParityJudge, softwareParity, stripParity, type ParityCheck } from './parity';
import { IEC_INITIAL_LINE, type LineSettings, type Link } from './types';

export type DataListener = (bytes: Uint8Array, info: { parityErrors: number }) => void;

export abstract class BaseLink implements Link {
  abstract readonly kind: Link['kind'];
  abstract readonly description: string;
  abstract readonly canChangeLine: boolean;
  protected current: LineSettings;
  private dataListeners = new Set<DataListener>();
  private closeListeners = new Set<(error?: OmrError) => void>();
  private closed = false;
  /** Parity errors seen since the link was opened (for diagnostics). */
  parityErrors = 0;
  private readonly judge = new ParityJudge();

  constructor(line: LineSettings = IEC_INITIAL_LINE) {
    this.current = { ...line };
  }

  get line(): LineSettings {
    return { ...this.current };
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  protected abstract rawWrite(bytes: Uint8Array): Promise<void>;
  /** Change the speed on the transport (framing is always 8N1 underneath). */
  protected abstract applyBaud(baudRate: number): Promise<void>;
  /** Apply new line settings to the transport; by default only a change of speed does anything. */
  protected async applyLine(next: LineSettings, previous: LineSettings): Promise<void> {
    if (next.baudRate !== previous.baudRate) await this.applyBaud(next.baudRate);
  }

  /**
   * Whether received parity bits can be judged: `stripped` when the far side removes them (a
   * ser2net or a network head set to 7E1 hands 7-bit bytes over TCP), `checked` once a byte
   * with bit 7 set has come in, `unknown` before.
   */
  get parityCheck(): ParityCheck {
    return this.judge.state;
  }
  protected abstract rawClose(): Promise<void>;

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new OmrError('LINK_LOST', `${this.description} is closed`);
    const parity = softwareParity(this.current);
    await this.rawWrite(parity ? addParity(bytes, parity) : bytes);
  }

  async setLine(settings: Partial<LineSettings>): Promise<void> {
    if (this.closed) throw new OmrError('LINK_LOST', `${this.description} is closed`);
    const next = { ...this.current, ...settings };
    if (this.canChangeLine) await this.applyLine(next, this.current);
    this.current = next;
  }

  onData(listener: DataListener): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error?: OmrError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Subclasses call this with bytes as they came off the transport. */
  protected deliver(raw: Uint8Array): void {
    if (this.closed || raw.length === 0) return;
    const parity = softwareParity(this.current);
    let bytes = raw;
    let parityErrors = 0;
    if (parity) {
      const r = stripParity(raw, parity);
      bytes = r.bytes;
      parityErrors = this.judge.judge(raw, r.parityErrors);
      this.parityErrors += parityErrors;
    }
    for (const l of [...this.dataListeners]) l(bytes, { parityErrors });
  }

  /** Subclasses call this when the transport ends; `error` when it was not asked to. */
  protected ended(error?: OmrError): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of [...this.closeListeners]) l(error);
    this.dataListeners.clear();
    this.closeListeners.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.rawClose();
    } finally {
      this.ended();
    }
  }
}
