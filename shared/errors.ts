/**
 * Every failure a technician can meet has a code, a human message and a remedy, in English and
 * French. The engine and the services throw {@link OmrError}; everything that crosses a boundary
 * (IPC, WebSocket, CLI, session journal) carries the plain {@link ErrorInfo}.
 */

export type Lang = 'en' | 'fr';

interface Text {
  message: string;
  remedy: string;
}

const T = (en: Text, fr: Text): Record<Lang, Text> => ({ en, fr });

export const ERROR_TEXT = {
  // --- ports and links -------------------------------------------------------------------------
  PORT_NOT_FOUND: T(
    { message: 'The serial port does not exist.', remedy: 'Plug the optical head in, then refresh the port list.' },
    { message: "Le port série n'existe pas.", remedy: 'Branchez la tête optique, puis actualisez la liste des ports.' },
  ),
  PORT_BUSY: T(
    { message: 'The serial port is already in use by another program.', remedy: 'Close the other program (another reader, a terminal, ModemManager) and try again.' },
    { message: 'Le port série est déjà utilisé par un autre programme.', remedy: "Fermez l'autre programme (autre logiciel de relève, terminal, ModemManager) puis réessayez." },
  ),
  PORT_PERMISSION: T(
    { message: 'Permission denied on the serial port.', remedy: 'Linux: add your user to the dialout group (sudo usermod -aG dialout $USER), then log out and back in; or install the udev rule shipped with the app.' },
    { message: 'Accès refusé au port série.', remedy: 'Linux : ajoutez votre utilisateur au groupe dialout (sudo usermod -aG dialout $USER), puis fermez et rouvrez la session ; ou installez la règle udev fournie.' },
  ),
  PORT_OPEN_FAILED: T(
    { message: 'The serial port could not be opened.', remedy: 'Unplug and replug the head; check the driver of the USB adapter.' },
    { message: "Le port série n'a pas pu être ouvert.", remedy: "Débranchez et rebranchez la tête ; vérifiez le pilote de l'adaptateur USB." },
  ),
  LINK_LOST: T(
    { message: 'The connection to the head was lost.', remedy: 'Check the cable and the USB plug; what was already read is kept.' },
    { message: 'La liaison avec la tête optique a été perdue.', remedy: 'Vérifiez le câble et la prise USB ; ce qui a déjà été lu est conservé.' },
  ),
  TCP_CONNECT_FAILED: T(
    { message: 'The network head or server did not accept the connection.', remedy: 'Check the host name, the port number and that the device is powered.' },
    { message: "La tête réseau ou le serveur n'a pas accepté la connexion.", remedy: "Vérifiez le nom d'hôte, le numéro de port et l'alimentation de l'appareil." },
  ),
  // --- IEC 62056-21 ------------------------------------------------------------------------------
  NO_ECHO_NO_ANSWER: T(
    { message: 'Nothing came back: neither the meter nor the echo of the head.', remedy: 'Check that the head is plugged in, faces the meter’s optical port, and that the cable is the right way round.' },
    { message: "Aucune réponse : ni le compteur ni l'écho de la tête.", remedy: "Vérifiez que la tête est branchée, face au port optique du compteur, câble dans le bon sens." },
  ),
  ECHO_ONLY: T(
    { message: 'The head only hears its own light: it is not on the meter.', remedy: 'Move the head onto the optical port, cable pointing down, and hold it still.' },
    { message: "La tête n'entend que sa propre lumière : elle n'est pas sur le compteur.", remedy: 'Placez la tête sur le port optique, câble vers le bas, et tenez-la immobile.' },
  ),
  GARBLED: T(
    { message: 'The meter answered with unreadable characters.', remedy: 'Hold the head still and out of direct sunlight; check the line settings (300 baud 7E1 at start).' },
    { message: 'Le compteur a répondu avec des caractères illisibles.', remedy: 'Tenez la tête immobile, à l’abri du soleil ; vérifiez les paramètres de ligne (300 bauds 7E1 au départ).' },
  ),
  PARITY_ERROR: T(
    { message: 'Parity errors on the received characters.', remedy: 'The line should be 7E1 during the handshake; a network head set to 8N1 needs the parity stripped (set the link to 8N1 mode).' },
    { message: 'Erreurs de parité sur les caractères reçus.', remedy: "La ligne doit être en 7E1 pendant l'échange initial ; une tête réseau réglée en 8N1 demande de retirer la parité (mode 8N1 du lien)." },
  ),
  BCC_MISMATCH: T(
    { message: 'The block check character of the readout is wrong: the data may be damaged.', remedy: 'Hold the head still and read again.' },
    { message: 'Le caractère de contrôle (BCC) du relevé est faux : les données peuvent être abîmées.', remedy: 'Tenez la tête immobile et relancez la lecture.' },
  ),
  NAK_LIMIT: T(
    { message: 'The meter kept asking for repeats (NAK).', remedy: 'Hold the head still; try a lower baud rate.' },
    { message: 'Le compteur a demandé trop de répétitions (NAK).', remedy: 'Tenez la tête immobile ; essayez une vitesse plus basse.' },
  ),
  METER_ERROR: T(
    { message: 'The meter answered with an error code.', remedy: 'Check the address or the password you asked for.' },
    { message: 'Le compteur a répondu par un code d’erreur.', remedy: "Vérifiez l'adresse ou le mot de passe demandés." },
  ),
  BAUD_NOT_ACCEPTED: T(
    { message: 'The meter did not switch to the proposed speed.', remedy: 'Lower the maximum baud rate, or increase the baud-switch delay for this head.' },
    { message: "Le compteur n'est pas passé à la vitesse proposée.", remedy: 'Baissez la vitesse maximale, ou augmentez le délai de changement de vitesse pour cette tête.' },
  ),
  TIMEOUT_REACTION: T(
    { message: 'The meter did not answer in time.', remedy: 'Hold the head still on the optical port; some meters need a wake-up: try again.' },
    { message: "Le compteur n'a pas répondu à temps.", remedy: 'Tenez la tête immobile sur le port optique ; certains compteurs doivent être réveillés : réessayez.' },
  ),
  TIMEOUT_INTERCHAR: T(
    { message: 'The meter stopped in the middle of a message.', remedy: 'Hold the head still; what was already read is kept. Read again.' },
    { message: "Le compteur s'est arrêté au milieu d'un message.", remedy: 'Tenez la tête immobile ; ce qui a été lu est conservé. Relancez la lecture.' },
  ),
  MODE_NOT_OFFERED: T(
    { message: 'The meter does not offer this protocol mode.', remedy: 'Pick a mode the meter announces (data readout or DLMS).' },
    { message: 'Le compteur ne propose pas ce mode de protocole.', remedy: 'Choisissez un mode annoncé par le compteur (relevé ou DLMS).' },
  ),
  // --- HDLC / DLMS --------------------------------------------------------------------------------
  HDLC_FCS: T(
    { message: 'A frame arrived damaged (checksum error).', remedy: 'Hold the head still; lower the baud rate if it persists.' },
    { message: 'Une trame est arrivée abîmée (erreur de somme de contrôle).', remedy: 'Tenez la tête immobile ; baissez la vitesse si cela persiste.' },
  ),
  HDLC_REJECTED: T(
    { message: 'The meter refused the HDLC connection (DM or FRMR).', remedy: 'Check the server address (logical device 1, physical address) and the client SAP.' },
    { message: 'Le compteur a refusé la connexion HDLC (DM ou FRMR).', remedy: "Vérifiez l'adresse serveur (équipement logique 1, adresse physique) et le SAP client." },
  ),
  AUTH_REJECTED: T(
    { message: 'The meter rejected the association (password or security).', remedy: 'Check the client and the password. Do not retry at once: some meters lock out for a minute after a wrong password.' },
    { message: "Le compteur a refusé l'association (mot de passe ou sécurité).", remedy: "Vérifiez le client et le mot de passe. Ne réessayez pas tout de suite : certains compteurs se bloquent une minute après un mauvais mot de passe." },
  ),
  KEY_ERROR: T(
    { message: 'The security keys do not match the meter (the message could not be authenticated).', remedy: 'Check the encryption and authentication keys for this meter.' },
    { message: 'Les clés de sécurité ne correspondent pas au compteur (message non authentifié).', remedy: "Vérifiez les clés de chiffrement et d'authentification de ce compteur." },
  ),
  OBJECT_UNDEFINED: T(
    { message: 'The meter does not have this object.', remedy: 'Read the object list (discover) to see what this meter offers.' },
    { message: "Le compteur ne possède pas cet objet.", remedy: 'Lisez la liste des objets (découverte) pour voir ce que propose ce compteur.' },
  ),
  READ_DENIED: T(
    { message: 'The meter refuses to let this client read the object.', remedy: 'Use a client with more rights (reading client with password).' },
    { message: 'Le compteur refuse la lecture de cet objet à ce client.', remedy: 'Utilisez un client ayant plus de droits (client de lecture avec mot de passe).' },
  ),
  DLMS_ERROR: T(
    { message: 'The meter answered with a DLMS error.', remedy: 'See the detail; read again or choose another object.' },
    { message: 'Le compteur a répondu par une erreur DLMS.', remedy: 'Voir le détail ; relancez ou choisissez un autre objet.' },
  ),
  DECODE_ERROR: T(
    { message: 'A message from the meter could not be decoded.', remedy: 'Read again; if it persists, save the trace and send it to support.' },
    { message: "Un message du compteur n'a pas pu être décodé.", remedy: 'Relancez ; si cela persiste, enregistrez la trace et envoyez-la au support.' },
  ),
  // --- application ---------------------------------------------------------------------------------
  CANCELLED: T(
    { message: 'Cancelled by the user.', remedy: 'What was read before the cancel is kept.' },
    { message: "Annulé par l'utilisateur.", remedy: "Ce qui a été lu avant l'annulation est conservé." },
  ),
  INVALID_REQUEST: T(
    { message: 'The request is not valid.', remedy: 'Check the values you entered.' },
    { message: "La demande n'est pas valide.", remedy: 'Vérifiez les valeurs saisies.' },
  ),
  UNKNOWN_CHANNEL: T(
    { message: 'This action does not exist.', remedy: 'Update the application.' },
    { message: "Cette action n'existe pas.", remedy: "Mettez l'application à jour." },
  ),
  FORBIDDEN_SENDER: T(
    { message: 'The request came from an untrusted page.', remedy: 'Restart the application.' },
    { message: "La demande vient d'une page non fiable.", remedy: "Redémarrez l'application." },
  ),
  /** The headless station refused a request without the right token. */
  UNAUTHORIZED: T(
    { message: 'The station token is missing or wrong.', remedy: 'Open the address the station printed (with ?token=…), or send the header Authorization: Bearer <token>.' },
    { message: 'Le jeton de la station est absent ou faux.', remedy: 'Ouvrez l’adresse affichée par la station (avec ?token=…), ou envoyez l’en-tête Authorization: Bearer <jeton>.' },
  ),
  NOT_FOUND: T(
    { message: 'Not found.', remedy: 'Refresh the list.' },
    { message: 'Introuvable.', remedy: 'Actualisez la liste.' },
  ),
  STORAGE_ERROR: T(
    { message: 'The data could not be written to disk.', remedy: 'Check the free disk space and the permissions of the data folder.' },
    { message: "Les données n'ont pas pu être écrites sur le disque.", remedy: "Vérifiez l'espace disque libre et les droits du dossier de données." },
  ),
  UNAVAILABLE: T(
    { message: 'This feature is not available here.', remedy: 'See the detail.' },
    { message: "Cette fonction n'est pas disponible ici.", remedy: 'Voir le détail.' },
  ),
  INTERNAL: T(
    { message: 'Unexpected internal error.', remedy: 'Save the trace and report it; what was read is kept.' },
    { message: 'Erreur interne inattendue.', remedy: 'Enregistrez la trace et signalez-la ; ce qui a été lu est conservé.' },
  ),
} as const satisfies Record<string, Record<Lang, Text>>;

export type ErrorCode = keyof typeof ERROR_TEXT;
export const ERROR_CODES = Object.keys(ERROR_TEXT) as ErrorCode[];

/** The plain form of an error: what crosses IPC, goes into a journal, or is printed. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  remedy: string;
  /** Technical detail (meter diagnostic, byte offset…): never a secret. */
  detail?: string;
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TEXT, x);
}

/** The typed error thrown by the engine, links and services. */
export class OmrError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERROR_TEXT[code].en.message} (${detail})` : ERROR_TEXT[code].en.message, options);
    this.name = 'OmrError';
    this.code = code;
    this.detail = detail;
  }
  info(lang: Lang = 'en'): ErrorInfo {
    return errorInfo(this.code, this.detail, lang);
  }
}

export function errorInfo(code: ErrorCode, detail?: string, lang: Lang = 'en'): ErrorInfo {
  const t = ERROR_TEXT[code][lang];
  return detail === undefined ? { code, message: t.message, remedy: t.remedy } : { code, message: t.message, remedy: t.remedy, detail };
}

/** Any thrown value to an ErrorInfo: typed errors keep their code, anything else is INTERNAL. */
export function toErrorInfo(e: unknown, lang: Lang = 'en'): ErrorInfo {
  if (e instanceof OmrError) return e.info(lang);
  if (e && typeof e === 'object' && isErrorCode((e as { code?: unknown }).code)) {
    const o = e as { code: ErrorCode; detail?: unknown };
    return errorInfo(o.code, typeof o.detail === 'string' ? o.detail : undefined, lang);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return errorInfo('INTERNAL', msg, lang);
}

/** Translate an ErrorInfo that was produced in another language (e.g. read from a journal). */
export function localiseError(e: ErrorInfo, lang: Lang): ErrorInfo {
  return isErrorCode(e.code) ? errorInfo(e.code, e.detail, lang) : e;
}
