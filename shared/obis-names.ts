/**
 * English and French names for the OBIS codes a Landis+Gyr E450 (IDIS-style meter) exposes.
 * Codes follow IEC 62056-6-1 (OBIS) and the IDIS object model. Lookup accepts the spellings
 * meters and readouts use and compares by the normalised six-part code.
 */
import { formatObis, parseObis, type Obis } from './obis-code';

export interface ObisName {
  en: string;
  fr: string;
}

const TABLE = new Map<string, ObisName>();
const put = (code: string, en: string, fr: string): void => {
  TABLE.set(formatObis(parseObis(code)), { en, fr });
};

// --- abstract objects -----------------------------------------------------------------------------
put('0-0:1.0.0*255', 'Clock', 'Horloge');
put('0-0:96.1.0*255', 'Meter serial number', 'Numéro de série du compteur');
put('0-0:96.1.1*255', 'Device identifier 2', 'Identifiant d’appareil 2');
put('0-0:96.1.2*255', 'Device identifier 3', 'Identifiant d’appareil 3');
put('0-0:42.0.0*255', 'Logical device name', 'Nom de l’équipement logique');
put('1-0:0.2.0*255', 'Active firmware version', 'Version du micrologiciel actif');
put('1-0:0.2.8*255', 'Active firmware signature', 'Signature du micrologiciel actif');
put('1-1:0.2.0*255', 'Firmware version (metrology)', 'Version du micrologiciel (métrologie)');
put('0-0:96.14.0*255', 'Current tariff', 'Tarif en cours');
put('0-0:97.97.0*255', 'Error register', 'Registre d’erreurs');
put('0-0:97.98.0*255', 'Alarm register', 'Registre d’alarmes');
put('0-0:96.3.10*255', 'Disconnect control', 'Organe de coupure');
put('0-0:40.0.0*255', 'Current association', 'Association courante');
put('0-0:25.9.0*255', 'Push setup', 'Paramètres de push');
put('0-0:96.7.21*255', 'Number of power failures', 'Nombre de coupures de courant');
put('0-0:96.7.9*255', 'Number of long power failures', 'Nombre de coupures longues');
put('1-0:0.9.1*255', 'Local time', 'Heure locale');
put('1-0:0.9.2*255', 'Local date', 'Date locale');
put('1-0:0.1.2*255', 'Time of the last billing reset', 'Date de la dernière remise à zéro');
put('0-0:0.1.2*255', 'Time of the last billing reset', 'Date de la dernière remise à zéro');
put('1-0:0.0.0*255', 'Meter identifier', 'Identifiant du compteur');
// --- profiles and logs ----------------------------------------------------------------------------
put('1-0:99.1.0*255', 'Load profile 1', 'Courbe de charge 1');
put('1-0:99.2.0*255', 'Load profile 2', 'Courbe de charge 2');
put('0-0:98.1.0*255', 'Billing values (monthly)', 'Valeurs de facturation (mensuelles)');
put('0-0:99.98.0*255', 'Standard event log', 'Journal des événements standard');
put('0-0:99.98.1*255', 'Fraud detection event log', 'Journal des fraudes');
put('0-0:99.98.2*255', 'Disconnector control event log', 'Journal de l’organe de coupure');
put('0-0:99.98.3*255', 'Event log 3', 'Journal d’événements 3');
put('0-0:99.98.4*255', 'Power quality event log', 'Journal de qualité de tension');
put('0-0:99.98.5*255', 'Event log 5', 'Journal d’événements 5');
// --- security setup invocation counters -----------------------------------------------------------
for (let x = 0; x <= 9; x++) put(`0-0:43.1.${x}*255`, `Invocation counter (security setup ${x})`, `Compteur d’invocation (sécurité ${x})`);

// --- energy registers, total and per tariff --------------------------------------------------------
const energies: [number, string, string][] = [
  [1, 'Active energy import (+A)', 'Énergie active importée (+A)'],
  [2, 'Active energy export (−A)', 'Énergie active exportée (−A)'],
  [3, 'Reactive energy import (+R)', 'Énergie réactive importée (+R)'],
  [4, 'Reactive energy export (−R)', 'Énergie réactive exportée (−R)'],
  [5, 'Reactive energy QI', 'Énergie réactive QI'],
  [6, 'Reactive energy QII', 'Énergie réactive QII'],
  [7, 'Reactive energy QIII', 'Énergie réactive QIII'],
  [8, 'Reactive energy QIV', 'Énergie réactive QIV'],
  [9, 'Apparent energy import (+VA)', 'Énergie apparente importée (+VA)'],
  [10, 'Apparent energy export (−VA)', 'Énergie apparente exportée (−VA)'],
];
for (const [c, en, fr] of energies) {
  put(`1-0:${c}.8.0*255`, `${en}, total`, `${fr}, totale`);
  for (let t = 1; t <= 4; t++) put(`1-0:${c}.8.${t}*255`, `${en}, tariff ${t}`, `${fr}, tarif ${t}`);
  put(`1-0:${c}.6.0*255`, `${en.replace('energy', 'maximum demand')}`, `${fr.replace('Énergie', 'Puissance maximale')}`);
  put(`1-0:${c}.4.0*255`, `${en.replace('energy', 'current average demand')}`, `${fr.replace('Énergie', 'Puissance moyenne courante')}`);
}

// --- instantaneous values --------------------------------------------------------------------------
put('1-0:1.7.0*255', 'Active power import (+P)', 'Puissance active importée (+P)');
put('1-0:2.7.0*255', 'Active power export (−P)', 'Puissance active exportée (−P)');
put('1-0:3.7.0*255', 'Reactive power import (+Q)', 'Puissance réactive importée (+Q)');
put('1-0:4.7.0*255', 'Reactive power export (−Q)', 'Puissance réactive exportée (−Q)');
put('1-0:9.7.0*255', 'Apparent power import (+S)', 'Puissance apparente importée (+S)');
put('1-0:13.7.0*255', 'Power factor', 'Facteur de puissance');
put('1-0:14.7.0*255', 'Frequency', 'Fréquence');
put('1-0:90.7.0*255', 'Current, sum of phases', 'Courant, somme des phases');
put('1-0:91.7.0*255', 'Neutral current', 'Courant de neutre');
for (const [phase, base] of [
  [1, 20],
  [2, 40],
  [3, 60],
] as const) {
  put(`1-0:${base + 1}.7.0*255`, `Active power import L${phase}`, `Puissance active importée L${phase}`);
  put(`1-0:${base + 2}.7.0*255`, `Active power export L${phase}`, `Puissance active exportée L${phase}`);
  put(`1-0:${base + 11}.7.0*255`, `Current L${phase}`, `Courant L${phase}`);
  put(`1-0:${base + 12}.7.0*255`, `Voltage L${phase}`, `Tension L${phase}`);
  put(`1-0:${base + 13}.7.0*255`, `Power factor L${phase}`, `Facteur de puissance L${phase}`);
}

/** C values that readouts abbreviate by a letter (IEC 62056-6-1: C=96 'C', 97 'F', 98 'L', 99 'P'). */
const LETTER_C: Record<string, number> = { C: 96, F: 97, L: 98, P: 99 };

/**
 * The normalised six-part code for an OBIS text, or undefined: full forms (`1-0:1.8.0*255`,
 * `1-0:1.8.0.255`, `1.0.1.8.0.255`, `1-0:1.8.0`), readout short forms C.D.E (`1.8.0`, A-B taken
 * as 1-0) and letter forms (`C.1.0`, `F.F` → 0-0:96.1.0*255, 0-0:97.97.0*255).
 */
export function normaliseObisText(text: string): string | undefined {
  const t = text.trim();
  try {
    return formatObis(parseObis(t));
  } catch {
    // fall through to the short forms
  }
  const short = /^([0-9]{1,3}|[CFLP])\.([0-9]{1,3}|[CFLP])(?:\.([0-9]{1,3}))?(?:\*(\d{1,3}))?$/.exec(t);
  if (!short) return undefined;
  const letter = (s: string, wide: boolean) => (/^\d+$/.test(s) ? Number(s) : s === 'F' && wide ? 97 : LETTER_C[s]!);
  const c = letter(short[1]!, true);
  const d = letter(short[2]!, true);
  const e = short[3] === undefined ? 0 : Number(short[3]);
  const f = short[4] === undefined ? 255 : Number(short[4]);
  const abstract = /[CFLP]/.test(short[1]!) || (c === 0 && /[CFLP]/.test(short[2]!));
  const v: Obis = [abstract ? 0 : 1, 0, c, d, e, f];
  if (v.some((x) => x > 255)) return undefined;
  return formatObis(v);
}

/** Names for an OBIS code in any accepted spelling; undefined when not in the table. */
export function lookupObis(text: string | ArrayLike<number>): ObisName | undefined {
  const key = typeof text === 'string' ? normaliseObisText(text) : formatObis(text);
  return key ? TABLE.get(key) : undefined;
}

/** Every code in the table (normalised), for listings and tests. */
export function knownObisCodes(): string[] {
  return [...TABLE.keys()];
}
