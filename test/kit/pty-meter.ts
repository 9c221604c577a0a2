/** The virtual E450 on one end of a socat pty pair, opened through the real serialport binding. */
import { createPtyPair } from '../../electron/link/pty';
import { SerialLink } from '../../electron/link/serial';
import { startVirtualMeter, type VirtualMeterOptions } from '../../electron/simulator/virtual-meter';

export interface PtyMeter {
  /** The path a reader opens, like /dev/ttyUSB0. */
  hostPath: string;
  meterLink: SerialLink;
  /** Kill the pty pair: the reader's device disappears, as when the USB cable is pulled. */
  unplug(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPtyMeter(options: VirtualMeterOptions = {}): Promise<PtyMeter> {
  const pair = await createPtyPair();
  const meterLink = await SerialLink.open(pair.meterPath);
  // Unpaced by default (fast tests); virtual-meter.ts then gives the meter a realistic reaction.
  const meter = startVirtualMeter(meterLink, { pace: false, ...options });
  return {
    hostPath: pair.hostPath,
    meterLink,
    unplug: () => pair.close(),
    async stop() {
      meter.stop();
      await meterLink.close().catch(() => undefined);
      await pair.close();
    },
  };
}
