import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CLIENT_SAP_FOR, type MeterProfile } from '../../../shared/settings';

const AUTHS: readonly MeterProfile['auth'][] = ['none', 'lls', 'hls-gmac'];

function NumberField({
  label,
  value,
  min,
  max,
  help,
  onChange,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  help?: { id: string; text: string };
  onChange(v: number): void;
}) {
  const field = (
    <label>
      {label}
      <input
        type="number"
        value={Number.isFinite(value) ? value : ''}
        min={min}
        max={max}
        step={1}
        required
        aria-describedby={help?.id}
        onChange={(e) => onChange(e.target.valueAsNumber)}
      />
    </label>
  );
  if (!help) return field;
  return (
    <div className="with-help">
      {field}
      <span id={help.id} className="help">
        {help.text}
      </span>
    </div>
  );
}

export function newProfile(): MeterProfile {
  return {
    id: `p-${Date.now().toString(36)}`,
    name: '',
    protocol: 'dlms',
    clientSap: 16,
    serverLogical: 1,
    serverPhysical: 17,
    auth: 'none',
    hasStoredSecret: false,
  };
}

/** A password goes with the LLS client and with IEC programming mode (readout profiles). */
const usesPassword = (p: MeterProfile) => p.protocol === 'readout' || p.auth === 'lls';

/**
 * The profile's stored password: typed here, it is sent to the system keychain when the settings
 * are saved (`secrets`: a new password, or null to forget the stored one). Without a keychain,
 * only a note: the password is asked at each reading.
 */
function SecretField({
  profile,
  available,
  pending,
  onSecret,
}: {
  profile: MeterProfile;
  available: boolean;
  pending: string | null | undefined;
  onSecret(v: string | null | undefined): void;
}) {
  const { t } = useTranslation();
  const id = `secret-${profile.id}`;
  if (!available) {
    return (
      <p className="help profile-secret" data-testid="secret-unavailable">
        {t('settings.secretUnavailable')}
      </p>
    );
  }
  return (
    <div className="profile-secret">
      <label htmlFor={id}>{t('settings.secret')}</label>
      <input
        id={id}
        type="password"
        value={typeof pending === 'string' ? pending : ''}
        autoComplete="new-password"
        maxLength={256}
        aria-describedby={`${id}-help`}
        onChange={(e) => onSecret(e.target.value ? e.target.value : undefined)}
      />
      <span id={`${id}-help`} className="help">
        {pending === null
          ? t('settings.secretForgotten')
          : profile.hasStoredSecret
            ? `${t('settings.secretHelp')} ${t('settings.secretStored')}`
            : t('settings.secretHelp')}
      </span>
      {profile.hasStoredSecret && pending !== null ? (
        <button type="button" className="link-button" onClick={() => onSecret(null)}>
          {t('settings.secretForget')}
        </button>
      ) : null}
    </div>
  );
}

/** Saved meter profiles: how to talk DLMS to a kind of meter (client, server address, security). */
export function ProfilesEditor({
  profiles,
  onChange,
  secretsAvailable = false,
  secrets = {},
  onSecret,
}: {
  profiles: MeterProfile[];
  onChange(p: MeterProfile[]): void;
  secretsAvailable?: boolean;
  /** Pending password changes by profile id: a new password, or null to forget it. */
  secrets?: Record<string, string | null>;
  onSecret?(profileId: string, value: string | null | undefined): void;
}) {
  const { t } = useTranslation();
  // Profiles whose client SAP the user typed: it no longer follows the security level.
  const [sapSet, setSapSet] = useState<ReadonlySet<string>>(new Set());
  const patch = (i: number, p: Partial<MeterProfile>) => onChange(profiles.map((x, k) => (k === i ? { ...x, ...p } : x)));
  /** A new security level brings its usual client (public 16, reading 32, management 1) unless the SAP was chosen. */
  const setAuth = (i: number, auth: MeterProfile['auth']) => {
    const p = profiles[i]!;
    const follows = !sapSet.has(p.id) && p.clientSap === CLIENT_SAP_FOR[p.auth];
    patch(i, follows ? { auth, clientSap: CLIENT_SAP_FOR[auth] } : { auth });
  };
  return (
    <fieldset className="profiles">
      <legend>{t('settings.profiles')}</legend>
      {!profiles.length ? <p className="help">{t('settings.noProfiles')}</p> : null}
      {profiles.map((p, i) => (
        <div key={p.id} className="profile" role="group" aria-label={p.name || t('settings.newProfile')}>
          <label>
            {t('settings.profileName')}
            <input type="text" value={p.name} required maxLength={100} onChange={(e) => patch(i, { name: e.target.value })} />
          </label>
          <label>
            {t('settings.protocol')}
            <select value={p.protocol} onChange={(e) => patch(i, { protocol: e.target.value as MeterProfile['protocol'] })}>
              <option value="dlms">DLMS/COSEM</option>
              <option value="readout">{t('read.protocol.readout')}</option>
            </select>
          </label>
          <NumberField
            label={t('settings.clientSap')}
            value={p.clientSap}
            min={1}
            max={127}
            help={{ id: `sap-help-${p.id}`, text: t('settings.clientSapHelp') }}
            onChange={(v) => {
              setSapSet((s) => new Set(s).add(p.id));
              patch(i, { clientSap: v });
            }}
          />
          <NumberField label={t('settings.serverLogical')} value={p.serverLogical} min={0} max={16383} onChange={(v) => patch(i, { serverLogical: v })} />
          <NumberField label={t('settings.serverPhysical')} value={p.serverPhysical} min={0} max={16383} onChange={(v) => patch(i, { serverPhysical: v })} />
          <label>
            {t('settings.authLabel')}
            <select value={p.auth} onChange={(e) => setAuth(i, e.target.value as MeterProfile['auth'])}>
              {AUTHS.map((a) => (
                <option key={a} value={a}>
                  {t(`settings.auth.${a}`)}
                </option>
              ))}
            </select>
          </label>
          {onSecret && (usesPassword(p) || p.hasStoredSecret) ? (
            <SecretField profile={p} available={secretsAvailable} pending={secrets[p.id]} onSecret={(v) => onSecret(p.id, v)} />
          ) : null}
          <button type="button" className="danger" onClick={() => onChange(profiles.filter((_, k) => k !== i))}>
            {t('settings.removeProfile')}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...profiles, newProfile()])}>
        + {t('settings.addProfile')}
      </button>
    </fieldset>
  );
}
