import { useTranslation } from 'react-i18next';
import type { MeterProfile } from '../../../shared/settings';

const AUTHS: readonly MeterProfile['auth'][] = ['none', 'lls', 'hls-gmac'];

function NumberField({ label, value, min, max, onChange }: { label: string; value: number; min: number; max: number; onChange(v: number): void }) {
  return (
    <label>
      {label}
      <input type="number" value={Number.isFinite(value) ? value : ''} min={min} max={max} step={1} required onChange={(e) => onChange(e.target.valueAsNumber)} />
    </label>
  );
}

export function newProfile(): MeterProfile {
  return { id: `p-${Date.now().toString(36)}`, name: '', protocol: 'dlms', clientSap: 16, serverLogical: 1, serverPhysical: 17, auth: 'none', hasStoredSecret: false };
}

/** Saved meter profiles: how to talk DLMS to a kind of meter (client, server address, security). */
export function ProfilesEditor({ profiles, onChange }: { profiles: MeterProfile[]; onChange(p: MeterProfile[]): void }) {
  const { t } = useTranslation();
  const patch = (i: number, p: Partial<MeterProfile>) => onChange(profiles.map((x, k) => (k === i ? { ...x, ...p } : x)));
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
          <NumberField label={t('settings.clientSap')} value={p.clientSap} min={1} max={127} onChange={(v) => patch(i, { clientSap: v })} />
          <NumberField label={t('settings.serverLogical')} value={p.serverLogical} min={0} max={16383} onChange={(v) => patch(i, { serverLogical: v })} />
          <NumberField label={t('settings.serverPhysical')} value={p.serverPhysical} min={0} max={16383} onChange={(v) => patch(i, { serverPhysical: v })} />
          <label>
            {t('settings.authLabel')}
            <select value={p.auth} onChange={(e) => patch(i, { auth: e.target.value as MeterProfile['auth'] })}>
              {AUTHS.map((a) => (
                <option key={a} value={a}>
                  {t(`settings.auth.${a}`)}
                </option>
              ))}
            </select>
          </label>
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
