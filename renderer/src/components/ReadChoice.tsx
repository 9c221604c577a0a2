import { useTranslation } from 'react-i18next';
import { useApp } from '../store';
import { useIdentify } from '../stores/identify';

/**
 * How to read: the readout (IEC 62056-21), or DLMS with a saved client profile and a password.
 * The password is kept in memory for the next read only.
 */
export function ReadChoice({ modeE, identified }: { modeE: boolean; identified: boolean }) {
  const { t } = useTranslation();
  const profiles = useApp((s) => s.settings?.profiles ?? []);
  const next = useApp((s) => s.next);
  const { protocol, profileId, password, setProtocol, setProfile, setPassword } = useIdentify();
  const dlmsProfiles = profiles.filter((p) => p.protocol === 'dlms');
  // The read then uses the profile's password from the system keychain (see the read service).
  const storedSecret = !!profileId && !!profiles.find((p) => p.id === profileId)?.hasStoredSecret;
  return (
    <form
      className="card read-choice"
      onSubmit={(e) => {
        e.preventDefault();
        next();
      }}
    >
      <fieldset>
        <legend>{t('identify.howToRead')}</legend>
        <label className="choice">
          <input type="radio" name="protocol" value="readout" checked={protocol === 'readout'} onChange={() => setProtocol('readout')} />
          <span>
            <strong>{t('identify.useReadout')}</strong>
            <span className="help">{t('identify.useReadoutHelp')}</span>
          </span>
        </label>
        <label className="choice">
          <input type="radio" name="protocol" value="dlms" checked={protocol === 'dlms'} disabled={identified && !modeE} onChange={() => setProtocol('dlms')} />
          <span>
            <strong>{t('identify.useDlms')}</strong>
            <span className="help">{identified && !modeE ? t('identify.noModeE') : t('identify.useDlmsHelp')}</span>
          </span>
        </label>
      </fieldset>
      {protocol === 'dlms' ? (
        <div className="dlms-options">
          <label>
            {t('identify.profile')}
            <select value={profileId ?? ''} onChange={(e) => setProfile(e.target.value || undefined)}>
              <option value="">{t('identify.defaultClient')}</option>
              {dlmsProfiles.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({t('settings.clientSap')} {p.clientSap}, {t(`settings.auth.${p.auth}`)})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('identify.password')}
            <input type="password" value={password} autoComplete="off" maxLength={64} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <p className="help" data-testid="password-help">
            {storedSecret && !password ? t('identify.passwordStored') : t('identify.passwordHelp')}
          </p>
        </div>
      ) : null}
      <button type="submit" className="primary">
        {t('identify.toRead')} →
      </button>
    </form>
  );
}
