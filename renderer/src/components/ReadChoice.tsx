import { useTranslation } from 'react-i18next';
import { useApp } from '../store';
import { useIdentify } from '../stores/identify';

/**
 * How to read: the readout (IEC 62056-21), or DLMS with a client profile and a password. Shown
 * on the identify step and again on the read step, so that a retry with another client does not
 * mean going back. The password is kept in memory for this meter and client profile only.
 */
export function ReadOptions({ modeE, identified }: { modeE: boolean; identified: boolean }) {
  const { t } = useTranslation();
  const profiles = useApp((s) => s.settings?.profiles ?? []);
  const { protocol, chosen, profileId, password, setProtocol, setProfile, setPassword } = useIdentify();
  const dlmsProfiles = profiles.filter((p) => p.protocol === 'dlms');
  // Before the meter has named itself and without a choice, the read picks the protocol.
  const shown = identified || chosen ? protocol : undefined;
  // The read then uses the profile's password from the system keychain (see the read service).
  const storedSecret = !!profileId && !!profiles.find((p) => p.id === profileId)?.hasStoredSecret;
  return (
    <div className="read-options" data-testid="read-options">
      <fieldset>
        <legend>{t('identify.howToRead')}</legend>
        {!shown ? <p className="help">{t('read.viaAuto')}</p> : null}
        <label className="choice">
          <input
            type="radio"
            name="protocol"
            value="readout"
            checked={shown === 'readout'}
            onChange={() => setProtocol('readout')}
            data-testid="protocol-readout"
          />
          <span>
            <strong>{t('identify.useReadout')}</strong>
            <span className="help">{t('identify.useReadoutHelp')}</span>
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="protocol"
            value="dlms"
            checked={shown === 'dlms'}
            disabled={identified && !modeE}
            onChange={() => setProtocol('dlms')}
            data-testid="protocol-dlms"
          />
          <span>
            <strong>{t('identify.useDlms')}</strong>
            <span className="help">{identified && !modeE ? t('identify.noModeE') : t('identify.useDlmsHelp')}</span>
          </span>
        </label>
      </fieldset>
      {shown === 'dlms' ? (
        <div className="dlms-options">
          <label>
            {t('identify.profile')}
            <select value={profileId ?? ''} onChange={(e) => setProfile(e.target.value || undefined)} data-testid="read-profile">
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
            <input
              type="password"
              value={password}
              autoComplete="off"
              maxLength={64}
              aria-describedby="password-help"
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <p className="help" id="password-help" data-testid="password-help">
            {storedSecret && !password ? t('identify.passwordStored') : t('identify.passwordHelp')}
          </p>
        </div>
      ) : null}
    </div>
  );
}

/** The identify step's choice: Enter goes on to the read step once the meter has answered. */
export function ReadChoice({ modeE, identified, loading }: { modeE: boolean; identified: boolean; loading: boolean }) {
  const next = useApp((s) => s.next);
  return (
    <form
      className="card read-choice"
      onSubmit={(e) => {
        e.preventDefault();
        if (!loading) next();
      }}
    >
      <ReadOptions modeE={modeE} identified={identified} />
    </form>
  );
}
