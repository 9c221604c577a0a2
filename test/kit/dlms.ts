/** Shared facts for tests that read the simulator over DLMS. */
import { unhex } from '../../electron/engine/dlms/bytes';

/** An LLS password a test gives the simulator: distinctive, so a leak into a trace is found. */
export const PASSWORD = 'Secr3t!LLS';

/** The simulator's default HLS keys (electron/simulator/dlms/association.ts) and a client system title. */
export const KEYS = {
  encryptionKey: unhex('000102030405060708090A0B0C0D0E0F'),
  authenticationKey: unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF'),
  systemTitle: unhex('4D4D4D0000000001'),
};

/** A raw integer × 10^scaler as decimal text, without trailing zeros (1234, -2 → `12.34`; 100, -2 → `1`). */
export function scaled(raw: number, scaler: number): string {
  if (scaler >= 0) return String(raw * 10 ** scaler);
  const neg = raw < 0;
  const digits = String(Math.abs(raw)).padStart(-scaler + 1, '0');
  const int = digits.slice(0, scaler);
  const frac = digits.slice(scaler).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}
