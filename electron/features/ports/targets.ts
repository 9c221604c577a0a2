/**
 * Opening what the technician chose: a serial port, a TCP head (`tcp://host:port`), or the
 * built-in demo meter (`virtual:e450`, a virtual link to the simulator). A target is opened by
 * one operation at a time: a second open gets PORT_BUSY, not a fight over the port.
 */
import { OmrError } from '../../../shared/errors';
import type { SimFault } from '../../../shared/target';
import type { Link } from '../../link/types';
import { openLink, VIRTUAL_PORT_PATH } from '../../link/open';
import { createVirtualPair, type VirtualPair } from '../../link/virtual';
import { startVirtualMeter, type VirtualMeterOptions } from '../../simulator/virtual-meter';
import { startP1Meter, type P1MeterOptions } from '../../simulator/p1/meter';
import { HDLC_LINE } from '../../link/types';
import { P1_DEMO_PORT } from '../../../shared/listen';

export interface OpenedTarget {
  link: Link;
  target: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  simFaults?: SimFault[];
}

export type TargetOpener = (target: string, options?: OpenOptions) => Promise<OpenedTarget>;

export interface TargetDeps {
  /** Options for the demo meter (pacing, reaction time) — tests turn pacing off. */
  virtualMeter?: VirtualMeterOptions;
  /** Options for the demo P1 meter (`virtual:p1`: a DSMR 5 telegram every second, 115200 8N1). */
  p1Meter?: P1MeterOptions;
}

export class Targets {
  private busy = new Set<string>();
  /** Open demo meters (for {@link pullCable}), and until when a pulled cable stays out. */
  private virtualPairs = new Map<string, VirtualPair>();
  private unpluggedUntil = new Map<string, number>();
  constructor(private readonly deps: TargetDeps = {}) {}

  /**
   * Demo meter only (tests, demonstrations): pull its cable for `ms`. The open link fails with
   * LINK_LOST at once, and opening the target gives PORT_NOT_FOUND until the cable is back.
   * Returns whether a demo meter link was open.
   */
  pullCable(target: string, ms: number): boolean {
    if (target !== VIRTUAL_PORT_PATH && target !== P1_DEMO_PORT) throw new OmrError('INVALID_REQUEST', 'only the demo meter has a cable to pull');
    this.unpluggedUntil.set(target, Date.now() + ms);
    const pair = this.virtualPairs.get(target);
    this.virtualPairs.delete(target);
    pair?.unplug();
    return !!pair;
  }

  /** Open a target for one operation; `close()` frees it. */
  open: TargetOpener = async (target, options = {}) => {
    if (this.busy.has(target)) throw new OmrError('PORT_BUSY', `${target} is in use by another operation of this app`);
    this.busy.add(target);
    try {
      const opened = await this.openRaw(target, options);
      let closed = false;
      const free = () => this.busy.delete(target);
      opened.link.onClose(free);
      return {
        ...opened,
        close: async () => {
          if (closed) return;
          closed = true;
          try {
            await opened.close();
          } finally {
            free();
          }
        },
      };
    } catch (e) {
      this.busy.delete(target);
      throw e;
    }
  };

  private async openRaw(target: string, options: OpenOptions): Promise<OpenedTarget> {
    const opened = await openLink(target, {
      virtual: async (name) => {
        if (`virtual:${name}` === P1_DEMO_PORT) {
          if ((this.unpluggedUntil.get(target) ?? 0) > Date.now()) throw new OmrError('PORT_NOT_FOUND', `${target}: the cable is pulled`);
          const pair = createVirtualPair('virtual P1 meter');
          await pair.meter.setLine(HDLC_LINE(115200));
          await pair.host.setLine(HDLC_LINE(115200));
          this.virtualPairs.set(target, pair);
          const meter = startP1Meter(pair.meter, this.deps.p1Meter);
          return {
            link: pair.host,
            close: async () => {
              if (this.virtualPairs.get(target) === pair) this.virtualPairs.delete(target);
              meter.stop();
              await pair.host.close();
            },
          };
        }
        if (`virtual:${name}` !== VIRTUAL_PORT_PATH)
          throw new OmrError('PORT_NOT_FOUND', `${target}: the virtual meters are ${VIRTUAL_PORT_PATH} and ${P1_DEMO_PORT}`);
        if ((this.unpluggedUntil.get(target) ?? 0) > Date.now()) throw new OmrError('PORT_NOT_FOUND', `${target}: the cable is pulled`);
        const pair = createVirtualPair();
        this.virtualPairs.set(target, pair);
        const meter = startVirtualMeter(pair.meter, { ...this.deps.virtualMeter, faults: options.simFaults ?? this.deps.virtualMeter?.faults ?? [] });
        return {
          link: pair.host,
          close: async () => {
            if (this.virtualPairs.get(target) === pair) this.virtualPairs.delete(target);
            meter.stop();
            await pair.host.close();
          },
        };
      },
    });
    return { ...opened, target };
  }
}
