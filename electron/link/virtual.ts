/**
 * An in-process pipe between the host and the simulator: two linked ends. Bytes are delivered
 * asynchronously (never in the writer's call stack). If the two ends disagree on the speed when
 * a byte arrives, the byte arrives garbled, as on a real wire: a client that forgets to switch
 * speed reads noise, not clean data. Pacing (wire time) is the simulator's business.
 */
import { OmrError } from '../../shared/errors';
import { BaseLink } from './base';
import { IEC_INITIAL_LINE, type LineSettings } from './types';

export class VirtualLink extends BaseLink {
  readonly kind = 'virtual' as const;
  readonly canChangeLine = true;
  peer: VirtualLink | undefined;
  /** Bytes written through this end (raw, as on the wire). */
  bytesWritten = 0;

  constructor(
    readonly description: string,
    line: LineSettings = IEC_INITIAL_LINE,
  ) {
    super(line);
  }

  protected rawWrite(bytes: Uint8Array): Promise<void> {
    const peer = this.peer;
    if (!peer || !peer.isOpen) return Promise.reject(new OmrError('LINK_LOST', 'the virtual meter is gone'));
    this.bytesWritten += bytes.length;
    const copy = bytes.slice();
    const senderBaud = this.current.baudRate;
    setImmediate(() => peer.receiveFromPeer(copy, senderBaud));
    return Promise.resolve();
  }

  private receiveFromPeer(bytes: Uint8Array, senderBaud: number): void {
    if (senderBaud === this.current.baudRate) return this.deliver(bytes);
    // Speed mismatch: a UART samples the wrong bit cells. Model it as framing garbage, about one
    // garbage byte per two sent (deterministic, so tests are repeatable).
    const garbage = new Uint8Array(Math.max(1, bytes.length >> 1));
    for (let i = 0; i < garbage.length; i++) garbage[i] = (((bytes[i * 2] ?? 0) * 37 + 0x80) & 0xff) | 0x80;
    this.deliver(garbage);
  }

  protected applyBaud(): Promise<void> {
    return Promise.resolve();
  }

  protected rawClose(): Promise<void> {
    const peer = this.peer;
    this.peer = undefined;
    // The other end sees the device disappear.
    if (peer?.isOpen) setImmediate(() => peer.lost('the other end closed'));
    return Promise.resolve();
  }

  /** The device disappears (cable pulled). */
  lost(reason = 'unplugged'): void {
    this.ended(new OmrError('LINK_LOST', `${this.description}: ${reason}`));
  }
}

export interface VirtualPair {
  host: VirtualLink;
  meter: VirtualLink;
  /** Pull the cable: the host end fails with LINK_LOST, the meter end closes. */
  unplug(): void;
}

export function createVirtualPair(name = 'virtual E450'): VirtualPair {
  const host = new VirtualLink(name);
  const meter = new VirtualLink(`${name} (meter side)`);
  host.peer = meter;
  meter.peer = host;
  return {
    host,
    meter,
    unplug() {
      host.peer = undefined;
      meter.peer = undefined;
      host.lost('unplugged');
      void meter.close();
    },
  };
}
