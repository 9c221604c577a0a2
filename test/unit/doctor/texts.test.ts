/**
 * The doctor's texts on the branches the fixture trees do not reach (Windows and macOS port
 * lists, other systems, the demo meter, root and owner rights), word for word in both languages:
 * they come from the catalogue (shared/i18n) and must read as they always did.
 */
import { describe, expect, it } from 'vitest';
import { checkAdapter, checkConflicts, checkPermission, type DoctorPortInfo, type SystemInput } from '../../../electron/features/doctor/system';
import { runDoctor } from '../../../electron/features/doctor/run';
import type { Check } from '../../../shared/doctor';
import { HostFs } from '../../../electron/runtime/hostfs';

const NOWHERE = new HostFs('/nonexistent-omr-doctor-texts');
const USER = { uid: 1000, gid: 1000, groups: [1000], username: 'alice' };

function input(platform: string, port: string, ports?: DoctorPortInfo[]): SystemInput {
  return ports ? { fs: NOWHERE, user: USER, platform, port, ports } : { fs: NOWHERE, user: USER, platform, port };
}

const texts = (c: Check) => ({ en: c.i18n.en, fr: c.i18n.fr });

const FTDI_COM3: DoctorPortInfo = {
  path: 'COM3',
  kind: 'serial',
  vendorId: '0403',
  productId: '6001',
  manufacturer: 'FTDI',
  serialNumber: 'A1',
  opticalHead: true,
  headName: 'FTDI FT232R',
  driverProvider: 'FTDI',
};

describe('doctor texts on Windows', () => {
  it('names the head, its port and its driver', () => {
    expect(texts(checkAdapter(input('win32', 'COM3', [FTDI_COM3])))).toEqual({
      en: { seen: 'FTDI FT232R (0403:6001, FTDI, S/N A1) on COM3, driver FTDI.' },
      fr: { seen: 'FTDI FT232R (0403:6001, FTDI, S/N A1) sur COM3, pilote FTDI.' },
    });
  });

  it('warns about an adapter that is not a known head, without a driver', () => {
    const other: DoctorPortInfo = { path: 'COM7', kind: 'serial', opticalHead: false };
    const c = checkAdapter(input('win32', 'COM7', [other]));
    expect(c.status).toBe('warning');
    expect(texts(c)).toEqual({
      en: { seen: 'USB serial adapter on COM7: not a known optical head chip.', remedy: 'Check that this is the port of the optical head.' },
      fr: { seen: 'USB serial adapter sur COM7 : pas une puce de tête optique connue.', remedy: "Vérifiez qu'il s'agit bien du port de la tête optique." },
    });
  });

  it('says which COM ports are there when the asked one is not', () => {
    expect(texts(checkAdapter(input('win32', 'COM9', [FTDI_COM3])))).toEqual({
      en: {
        seen: 'COM9 is not present (ports present: COM3).',
        remedy: 'Plug the optical head in; the COM number can change when the head goes into another USB socket.',
      },
      fr: {
        seen: "COM9 n'est pas présent (ports présents : COM3).",
        remedy: 'Branchez la tête optique ; le numéro COM peut changer si la tête est branchée sur une autre prise USB.',
      },
    });
  });

  it('refuses a name that is not a COM port, and finds no head in an empty list', () => {
    expect(texts(checkAdapter(input('win32', '/dev/ttyUSB0', [])))).toEqual({
      en: { seen: '/dev/ttyUSB0 is not a Windows serial port name (COM1, COM2…).', remedy: 'Choose a COM port from the list.' },
      fr: { seen: "/dev/ttyUSB0 n'est pas un nom de port série Windows (COM1, COM2…).", remedy: 'Choisissez un port COM dans la liste.' },
    });
    expect(texts(checkAdapter(input('win32', '', [])))).toEqual({
      en: {
        seen: 'No known optical head is plugged in.',
        remedy: 'Plug the optical head in; in Device Manager, under "Ports (COM & LPT)", it must appear without a warning sign.',
      },
      fr: {
        seen: "Aucune tête optique connue n'est branchée.",
        remedy:
          'Branchez la tête optique ; dans le Gestionnaire de périphériques, sous « Ports (COM et LPT) », elle doit apparaître sans signe d’avertissement.',
      },
    });
  });

  it('skips permission and conflicts with the reason', () => {
    expect(texts(checkPermission(input('win32', 'COM3', [FTDI_COM3])))).toEqual({
      en: { seen: 'No device permissions to check on Windows; opening the port will tell.' },
      fr: { seen: "Pas de droits de périphérique à vérifier sous Windows ; l'ouverture du port le dira." },
    });
    expect(texts(checkConflicts(input('win32', 'COM3', [FTDI_COM3])))).toEqual({
      en: { seen: 'Other programs cannot be inspected on Windows; opening the port will tell if one holds it.' },
      fr: { seen: "Les autres programmes ne peuvent pas être examinés sous Windows ; l'ouverture du port dira si l'un d'eux le tient." },
    });
  });
});

describe('doctor texts on macOS and other systems', () => {
  const cu: DoctorPortInfo = { path: '/dev/cu.usbserial-A1', kind: 'serial', vendorId: '0403', productId: '6001', opticalHead: true, headName: 'FTDI FT232R' };

  it('names a known head on its call-out port', () => {
    expect(texts(checkAdapter(input('darwin', '/dev/cu.usbserial-A1', [cu])))).toEqual({
      en: { seen: 'FTDI FT232R (0403:6001) on /dev/cu.usbserial-A1.' },
      fr: { seen: 'FTDI FT232R (0403:6001) sur /dev/cu.usbserial-A1.' },
    });
  });

  it('points from a /dev/tty.* port to its /dev/cu.* twin', () => {
    expect(texts(checkAdapter(input('darwin', '/dev/tty.usbserial-A1', [cu])))).toEqual({
      en: {
        seen: 'FTDI FT232R (0403:6001) on /dev/tty.usbserial-A1: a /dev/tty.* port waits for the modem carrier signal.',
        remedy: 'Use /dev/cu.usbserial-A1 instead (the call-out device).',
      },
      fr: {
        seen: 'FTDI FT232R (0403:6001) sur /dev/tty.usbserial-A1 : un port /dev/tty.* attend le signal de porteuse du modem.',
        remedy: "Utilisez plutôt /dev/cu.usbserial-A1 (le périphérique d'appel sortant).",
      },
    });
  });

  it('says when the port is gone or no head is there', () => {
    expect(texts(checkAdapter(input('darwin', '/dev/cu.gone', [cu])))).toEqual({
      en: { seen: '/dev/cu.gone is not present.', remedy: 'Plug the optical head in, then refresh the port list.' },
      fr: { seen: "/dev/cu.gone n'est pas présent.", remedy: 'Branchez la tête optique, puis actualisez la liste des ports.' },
    });
    expect(checkAdapter(input('darwin', '', [])).i18n.en.remedy).toBe(
      'Plug the optical head in. Some chips (CH340, older CP210x) need the maker’s driver on macOS.',
    );
  });

  it('says what it cannot do on another system', () => {
    expect(texts(checkAdapter(input('freebsd', '')))).toEqual({
      en: { seen: 'No port given, and this system (freebsd) cannot be searched.', remedy: 'Give the port of the optical head.' },
      fr: { seen: 'Aucun port indiqué, et ce système (freebsd) ne peut pas être parcouru.', remedy: 'Indiquez le port de la tête optique.' },
    });
    expect(texts(checkAdapter(input('freebsd', '/dev/cuaU0')))).toEqual({
      en: { seen: '/dev/cuaU0: adapters are not inspected on freebsd.' },
      fr: { seen: '/dev/cuaU0 : les adaptateurs ne sont pas examinés sous freebsd.' },
    });
  });
});

describe('doctor texts for the demo meter', () => {
  it('skips the system checks and opens the demo link', async () => {
    const report = await runDoctor({
      port: 'virtual:e450',
      platform: 'linux',
      fs: NOWHERE,
      user: USER,
      openPort: async () => undefined,
      probe: async () => ({
        echoOnly: true,
        noAnswer: false,
        garbage: false,
        parityErrors: 0,
        modes: { readout: false, modeE: false, reducedReactionTime: false },
      }),
    });
    expect(texts(report.checks[0]!)).toEqual({
      en: { seen: 'Demo meter: it runs inside the app, there is no adapter to check.' },
      fr: { seen: "Compteur de démonstration : il tourne dans l'application, pas d'adaptateur à vérifier." },
    });
    expect(texts(report.checks[3]!)).toEqual({
      en: { seen: 'The demo meter link is open.' },
      fr: { seen: 'La liaison avec le compteur de démonstration est ouverte.' },
    });
    expect(report.checks[5]!.i18n.fr.seen).toBe('Non effectué : une étape précédente a échoué.');
  });
});
