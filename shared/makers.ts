/**
 * Manufacturer flags of IEC 62056-21 identifications (the three letters after `/`), as the
 * FLAG association lists them. A small table of the makers a technician meets most.
 */
const MAKERS: Record<string, string> = {
  ABB: 'ABB',
  ACE: 'Actaris',
  AEG: 'AEG',
  EBZ: 'eBZ',
  ELS: 'Elster',
  EMH: 'EMH metering',
  ESY: 'EasyMeter',
  HAG: 'Hager',
  ISK: 'Iskraemeco',
  ITF: 'Itron',
  KAM: 'Kamstrup',
  KFM: 'Kaifa',
  LGZ: 'Landis+Gyr',
  SAG: 'Siemens',
  SLB: 'Schlumberger',
  ZPA: 'ZPA Smart Energy',
};

/** The maker's name for a flag (case does not matter: a lower-case third letter only marks a fast meter). */
export function makerName(flag: string): string | undefined {
  return MAKERS[flag.toUpperCase()];
}
