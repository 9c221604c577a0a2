import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import { useApp } from '../store';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';
import { DIALECTS } from './ExportPanel';
import { ProfilesEditor } from './ProfilesEditor';

const BAUDS = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
type Draft = Pick<
  Settings,
  'language' | 'csvDialect' | 'reactionTimeoutMs' | 'interCharTimeoutMs' | 'baudSwitchDelayMs' | 'maxBaud' | 'fixedBaud' | 'profiles'
>;

function draftOf(s: Settings): Draft {
  const { language, csvDialect, reactionTimeoutMs, interCharTimeoutMs, baudSwitchDelayMs, maxBaud, fixedBaud, profiles } = s;
  return { language, csvDialect, reactionTimeoutMs, interCharTimeoutMs, baudSwitchDelayMs, maxBaud, fixedBaud, profiles };
}

function Ms({
  id,
  label,
  help,
  value,
  min,
  max,
  onChange,
}: {
  id: string;
  label: string;
  help: string;
  value: number;
  min: number;
  max: number;
  onChange(v: number): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <span className="with-unit">
        <input
          id={id}
          type="number"
          value={Number.isFinite(value) ? value : ''}
          min={min}
          max={max}
          step={1}
          required
          aria-describedby={`${id}-help`}
          onChange={(e) => onChange(e.target.valueAsNumber)}
        />
        ms
      </span>
      <span id={`${id}-help`} className="help">
        {help}
      </span>
    </div>
  );
}

export function SettingsDialog() {
  const { t } = useTranslation();
  const settings = useApp((s) => s.settings);
  const saveSettings = useApp((s) => s.saveSettings);
  const saveSecrets = useApp((s) => s.saveSecrets);
  const secretsAvailable = useApp((s) => s.secretsAvailable);
  // Passwords typed for profiles: in memory until saved, then handed to the keychain and dropped.
  const [secrets, setSecrets] = useState<Record<string, string | null>>({});
  const closeDialog = useApp((s) => s.closeDialog);
  const [draft, setDraft] = useState<Draft | undefined>(settings ? draftOf(settings) : undefined);
  const [error, setError] = useState<ErrorInfo>();
  const [saved, setSaved] = useState(false);
  const set = (p: Partial<Draft>) => {
    setSaved(false);
    setDraft((d) => (d ? { ...d, ...p } : d));
  };

  return (
    <Dialog id="settings" title={t('settings.title')} onClose={closeDialog}>
      {!draft ? (
        <p>{t('common.loading')}</p>
      ) : (
        <form
          className="settings"
          onSubmit={(e) => {
            e.preventDefault();
            setError(undefined);
            void (async () => {
              // The profiles first: a password belongs to a saved profile.
              let err = await saveSettings(draft);
              const kept = Object.fromEntries(Object.entries(secrets).filter(([id]) => draft.profiles.some((p) => p.id === id)));
              if (!err && Object.keys(kept).length) {
                err = await saveSecrets(kept);
                const fresh = useApp.getState().settings;
                if (fresh) setDraft((d) => (d ? { ...d, profiles: fresh.profiles } : d));
              }
              if (!err) setSecrets({});
              setError(err);
              setSaved(!err);
            })();
          }}
        >
          <div className="field">
            <label htmlFor="set-language">{t('settings.language')}</label>
            <select id="set-language" value={draft.language} onChange={(e) => set({ language: e.target.value as Draft['language'] })}>
              <option value="auto">{t('settings.languageAuto')}</option>
              <option value="fr">Français</option>
              <option value="en">English</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="set-dialect">{t('settings.csvDialect')}</label>
            <select id="set-dialect" value={draft.csvDialect} onChange={(e) => set({ csvDialect: e.target.value as Draft['csvDialect'] })}>
              {DIALECTS.map((d) => (
                <option key={d} value={d}>
                  {t(`settings.dialects.${d}`)}
                </option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend>{t('settings.timing')}</legend>
            <Ms
              id="set-reaction"
              label={t('settings.reaction')}
              help={t('settings.reactionHelp')}
              value={draft.reactionTimeoutMs}
              min={100}
              max={60000}
              onChange={(v) => set({ reactionTimeoutMs: v })}
            />
            <Ms
              id="set-interchar"
              label={t('settings.interChar')}
              help={t('settings.interCharHelp')}
              value={draft.interCharTimeoutMs}
              min={50}
              max={60000}
              onChange={(v) => set({ interCharTimeoutMs: v })}
            />
            <Ms
              id="set-switch"
              label={t('settings.baudSwitch')}
              help={t('settings.baudSwitchHelp')}
              value={draft.baudSwitchDelayMs}
              min={0}
              max={5000}
              onChange={(v) => set({ baudSwitchDelayMs: v })}
            />
            <div className="field">
              <label htmlFor="set-maxbaud">{t('settings.maxBaud')}</label>
              <select id="set-maxbaud" value={draft.maxBaud} onChange={(e) => set({ maxBaud: Number(e.target.value) })}>
                {BAUDS.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </div>
            <label className="check">
              <input type="checkbox" checked={draft.fixedBaud} onChange={(e) => set({ fixedBaud: e.target.checked })} />
              <span>
                {t('settings.fixedBaud')}
                <span className="help">{t('settings.fixedBaudHelp')}</span>
              </span>
            </label>
          </fieldset>
          <ProfilesEditor
            profiles={draft.profiles}
            onChange={(profiles) => set({ profiles })}
            secretsAvailable={secretsAvailable}
            secrets={secrets}
            onSecret={(id, value) => {
              setSaved(false);
              setSecrets((s) => {
                const next = { ...s };
                if (value === undefined) delete next[id];
                else next[id] = value;
                return next;
              });
            }}
          />
          {error ? <ErrorBox error={error} /> : null}
          <div className="toolbar">
            <button type="submit" className="primary">
              {t('common.save')}
            </button>
            <button type="button" onClick={closeDialog}>
              {t('common.close')}
            </button>
            {saved ? (
              <span className="success-text" role="status">
                ✓ {t('settings.saved')}
              </span>
            ) : null}
          </div>
        </form>
      )}
    </Dialog>
  );
}
