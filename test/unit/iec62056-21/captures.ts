/**
 * Real identification lines and readouts published by people who read their meters. Each
 * constant names the page it was published on. Where a page shows the readout as text (not as
 * bytes), the framing (STX, ETX, BCC) is added by the test with encodeDataMessage: the BCC is
 * then ours, the data lines are the meter's.
 */

/**
 * Landis+Gyr ZMD (E650) read over a TCP modem, text as posted in
 * https://github.com/pwitab/iec62056-21/issues/16 (comment by Krolken, 2021-01-05).
 * A subset of the data lines shown there, in their order (the thread shows the whole list).
 */
export const ZMD_IDENT = '/LGZ5\\2ZMD4054459.B40';
export const ZMD_LINES = [
  'F.F(00000000)',
  '0.9.1(23:16:43)',
  '0.9.2(21-01-04)',
  '0.0.0()',
  'C.1.0(54800102)',
  'C.90.1(54800102)',
  'C.90.2(01102)',
  '0.2.2(B21)',
  '0.1.0(04)',
  '0.1.0*12(21-01-01 00:00)',
  '0.1.0&12(20-12-30 16:02)',
  '0.1.0*00(00-00-00 00:00)',
  '0.1.0*00(00-00-00 00:00)',
  '0.1.2(00:00)',
  '0.1.3(21-01-01)',
  '1.8.1(0302.8260*kWh)',
  '1.8.1*12(0075.5341*kWh)',
  '1.8.1&12(0000.0000*kWh)',
  '1.8.1*00(0000.0000*kWh)',
  '1.8.1*00(0000.0000*kWh)',
  '1.8.2(0000.0000*kWh)',
  '1.8.0(0302.8260*kWh)',
  '1.8.0*12(0075.5341*kWh)',
  '2.8.0(0000.0000*kWh)',
  '5.8.1(0064.3714*kvarh)',
  '5.8.1*12(0016.0599*kvarh)',
];

/**
 * Landis+Gyr E350 series 2 (ZCF100Ax/Cx) user manual D000030875, §5.5.5 "Example of readout
 * list", https://manualshive.com/en/manual/landis-and-gyr/e350-series-2/673692?page=41
 * (also https://www.manualslib.com/manual/1577125/LandisPlusgyr-E350-Series.html?page=46 for
 * the 3-phase ZMF100 variant with `/LGZ0ZMF100AC.MXX`).
 */
export const E350_IDENT = '/LGZ0ZCF100AC.MXX';
export const E350_LINES = [
  'F.F(00)',
  'C.1.1(0000000074892473)',
  '1.8.0(000065.3*kWh)',
  '2.8.0(000003.5*kWh)',
  '1.8.1(000021.5*kWh)',
  '1.8.2(00043.8*kWh)',
  '2.8.1(000001.5*kWh)',
  '2.8.2(00000.0*kWh)',
  'C.5.0(02)',
];

/**
 * Aidon-style "APA" meter over a TCP converter, bytes as logged in
 * https://github.com/u9n/dlms-cosem/issues/37 (2021-07-12) and
 * https://github.com/pwitab/iec62056-21/issues/19: `b'/APA5\\2NORAX30\r\n'` and the start of
 * `b'\x020-0:C.1.0(72432595)\r\n0-0:1.0.0(2021-07-12 22:20:17)\r\n1-0:1.8.1(…`.
 */
export const APA_IDENT_BYTES = '/APA5\\2NORAX30\r\n';
export const APA_DATA_START =
  '\x020-0:C.1.0(72432595)\r\n0-0:1.0.0(2021-07-12 22:20:17)\r\n1-0:1.8.1(00000000001.329*kWh)\r\n1-0:1.8.1*101(00000000001.329*kWh)\r\n1-0:1.8.1*102(00000000001.329*kWh)\r\n1-0:1.8.1*103(00000000001.329*kWh)\r\n1-0:1.8.2(00000000000.000*kWh)\r\n1-0:1.8.2*101(00000000000.000*kWh)\r\n1-0:1.8.2*102(00000000000.000*kWh)\r\n1-0:1.8.2*103(00000000000.000*kWh)\r\n1-0:2.8.1(00000000000.501*kWh)\r\n1-0:2.8.1*101(00000000000.501*kWh)\r\n1-0:2.8.1*102(00000000000.501*kWh)\r\n1-';

/**
 * DSMR P1 example telegram of an Iskra MT382 (mode D push), as published on
 * http://domoticx.com/p1-poort-slimme-meter-hardware/ and quoted in the P1 reader README found
 * with the code search (maarten-pennings' ESP8266 P1 project). Note its own typos
 * (`1-0:99:97.0`, `0:96.7.1 9`, `1-0:72:32.0`): a parser must survive them.
 */
export const ISKRA_IDENT = '/ISk5\\2MT382-1000';
export const ISKRA_LINES = [
  '1-3:0.2.8(40)',
  '0-0:1.0.0(101209113020W)',
  '0-0:96.1.1(4B384547303034303436333935353037)',
  '1-0:1.8.1(123456.789*kWh)',
  '1-0:1.7.0(01.193*kW)',
  '1-0:99:97.0(2)(0:96.7.1 9)(101208152415W)(0000000240*s)(101208151004W)(00000000301*s)',
  '1-0:72:32.0(00000)',
  '0-1:24.2.1(101209110000W)(12785.123*m3)',
];
