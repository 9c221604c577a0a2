/**
 * The verdict given to every frame or telegram heard on a customer port: which layer failed (or
 * that none did), in words a technician can act on (EN and FR), with the error code it maps to.
 * A verdict never carries a key nor anything derived from one.
 */
import type { ErrorCode, Lang } from '../../../shared/errors';

export type VerdictLayer =
  | 'ok'
  | 'framing'
  | 'checksum'
  | 'sequence'
  | 'no-key'
  | 'plain-with-key'
  | 'encryption-key'
  | 'authentication-tag'
  | 'tag-unchecked'
  | 'decode'
  | 'layout-unknown'
  | 'crc-bad'
  | 'crc-none'
  | 'cut-short'
  | 'noise';

export type VerdictStatus = 'good' | 'warning' | 'bad';

export interface Verdict {
  status: VerdictStatus;
  layer: VerdictLayer;
  code?: ErrorCode;
  message: string;
  remedy: string;
  /** Technical detail (offsets, counts, checksums): never a secret. */
  detail?: string;
}

type Text = { message: string; remedy: string };
const T = (status: VerdictStatus, code: ErrorCode | undefined, en: Text, fr: Text) => ({ status, code, en, fr });

const TEXT: Record<VerdictLayer, ReturnType<typeof T>> = {
  ok: T('good', undefined, { message: 'Decoded.', remedy: '' }, { message: 'Décodé.', remedy: '' }),
  framing: T(
    'bad',
    'DECODE_ERROR',
    {
      message: 'Framing: the frame is not whole or not well formed.',
      remedy: 'Check the line settings (speed, 8N1 or 7E1) and the wiring; the next frame is read normally.',
    },
    {
      message: 'Trame : incomplète ou mal formée.',
      remedy: 'Vérifiez les réglages de ligne (vitesse, 8N1 ou 7E1) et le câblage ; la trame suivante est lue normalement.',
    },
  ),
  checksum: T(
    'bad',
    'HDLC_FCS',
    { message: 'Checksum: the frame arrived damaged.', remedy: 'Check the cable and the adapter (interference, loose contact); one damaged frame is skipped.' },
    {
      message: 'Somme de contrôle : la trame est arrivée abîmée.',
      remedy: "Vérifiez le câble et l'adaptateur (parasites, mauvais contact) ; une trame abîmée est ignorée.",
    },
  ),
  sequence: T(
    'bad',
    'DECODE_ERROR',
    {
      message: 'Sequence: a segment or block of this message is missing or repeated.',
      remedy: 'A frame was lost on the line; the next complete message is read normally.',
    },
    {
      message: 'Séquence : un segment ou bloc de ce message manque ou est répété.',
      remedy: 'Une trame a été perdue sur la ligne ; le message complet suivant est lu normalement.',
    },
  ),
  'no-key': T(
    'bad',
    'KEY_ERROR',
    { message: 'This frame is ciphered and no key was given.', remedy: 'Ask the grid operator for the customer-port key (GUEK) and pass it with --key-file.' },
    {
      message: "Cette trame est chiffrée et aucune clé n'a été donnée.",
      remedy: 'Demandez au gestionnaire de réseau la clé du port client (GUEK) et passez-la avec --key-file.',
    },
  ),
  'plain-with-key': T(
    'bad',
    'KEY_ERROR',
    {
      message: 'This frame is not ciphered although a key is set: refused.',
      remedy: 'If this meter really pushes in clear, pass --allow-plain; otherwise someone else is talking on the line.',
    },
    {
      message: "Cette trame n'est pas chiffrée alors qu'une clé est donnée : refusée.",
      remedy: "Si ce compteur émet vraiment en clair, passez --allow-plain ; sinon, quelqu'un d'autre parle sur la ligne.",
    },
  ),
  'encryption-key': T(
    'bad',
    'KEY_ERROR',
    {
      message: 'Wrong encryption key: the frame deciphers to nothing readable.',
      remedy: 'Check the encryption key (GUEK) for this meter: 32 hex digits, from the grid operator.',
    },
    {
      message: 'Mauvaise clé de chiffrement : la trame déchiffrée est illisible.',
      remedy: 'Vérifiez la clé de chiffrement (GUEK) de ce compteur : 32 chiffres hexadécimaux, fournie par le gestionnaire de réseau.',
    },
  ),
  'authentication-tag': T(
    'bad',
    'KEY_ERROR',
    {
      message: 'Tag mismatch: the frame deciphers, but its authentication tag does not match the authentication key.',
      remedy: 'Check the authentication key (GAK), or leave it out if the operator gave none.',
    },
    {
      message: "Étiquette incorrecte : la trame se déchiffre, mais son étiquette d'authentification ne correspond pas à la clé d'authentification.",
      remedy: "Vérifiez la clé d'authentification (GAK), ou retirez-la si le gestionnaire n'en a pas donné.",
    },
  ),
  'tag-unchecked': T(
    'warning',
    undefined,
    {
      message: 'Decrypted without checking the authentication tag (no authentication key given).',
      remedy: 'Add the authentication key (GAK) to the key file to have each frame verified.',
    },
    {
      message: "Déchiffré sans vérifier l'étiquette d'authentification (pas de clé d'authentification).",
      remedy: "Ajoutez la clé d'authentification (GAK) au fichier de clés pour vérifier chaque trame.",
    },
  ),
  decode: T(
    'bad',
    'DECODE_ERROR',
    { message: 'The message inside the frame could not be decoded.', remedy: 'Save the raw bytes (--json) and report them; listening goes on.' },
    {
      message: "Le message contenu dans la trame n'a pas pu être décodé.",
      remedy: "Enregistrez les octets bruts (--json) et signalez-les ; l'écoute continue.",
    },
  ),
  'layout-unknown': T(
    'warning',
    undefined,
    {
      message: 'Layout unknown: values without OBIS are shown by position (#n) with their type and raw value.',
      remedy: 'Drop a layout file for this list into the layouts folder (--layouts) to name the positions.',
    },
    {
      message: 'Disposition inconnue : les valeurs sans OBIS sont montrées par position (#n) avec leur type et leur valeur brute.',
      remedy: 'Déposez un fichier de disposition pour cette liste dans le dossier des dispositions (--layouts).',
    },
  ),
  'crc-bad': T(
    'bad',
    'BCC_MISMATCH',
    {
      message: 'CRC mismatch: the telegram was damaged; its values are not presented as good.',
      remedy: 'Check the P1 cable and the line settings; the next telegram is read normally.',
    },
    {
      message: 'CRC incorrect : le télégramme est abîmé ; ses valeurs ne sont pas présentées comme bonnes.',
      remedy: 'Vérifiez le câble P1 et les réglages de ligne ; le télégramme suivant est lu normalement.',
    },
  ),
  'crc-none': T(
    'warning',
    undefined,
    { message: 'No CRC in this telegram (DSMR 2.2/3): values unchecked.', remedy: 'Nothing to do: older meters send no CRC.' },
    { message: 'Pas de CRC dans ce télégramme (DSMR 2.2/3) : valeurs non vérifiées.', remedy: 'Rien à faire : les anciens compteurs n’envoient pas de CRC.' },
  ),
  'cut-short': T(
    'bad',
    'TIMEOUT_INTERCHAR',
    {
      message: 'Cut short: the telegram ended before its `!` line.',
      remedy: 'A new telegram or a silence interrupted it; check the cable. Listening goes on.',
    },
    {
      message: "Interrompu : le télégramme s'est arrêté avant sa ligne `!`.",
      remedy: "Un nouveau télégramme ou un silence l'a interrompu ; vérifiez le câble. L'écoute continue.",
    },
  ),
  noise: T(
    'bad',
    'GARBLED',
    { message: 'Bytes between frames that belong to no frame.', remedy: 'Check the line speed and format (8N1 / 7E1) and the adapter polarity.' },
    {
      message: "Octets entre les trames qui n'appartiennent à aucune trame.",
      remedy: "Vérifiez la vitesse et le format de ligne (8N1 / 7E1) et la polarité de l'adaptateur.",
    },
  ),
};

export function verdict(layer: VerdictLayer, detail?: string, lang: Lang = 'en'): Verdict {
  const t = TEXT[layer];
  const text = t[lang];
  return { status: t.status, layer, ...(t.code ? { code: t.code } : {}), message: text.message, remedy: text.remedy, ...(detail ? { detail } : {}) };
}

/** All layers, for tests and documentation. */
export const VERDICT_LAYERS = Object.keys(TEXT) as VerdictLayer[];
