import { useTranslation } from 'react-i18next';
import { useApp } from '../store';

/** A port typed by hand: a pty (/dev/pts/7), COM7, or a network head (tcp://host:port). */
export function ManualPort() {
  const { t } = useTranslation();
  const manualText = useApp((s) => s.manualText);
  const setManualText = useApp((s) => s.setManualText);
  const selectPort = useApp((s) => s.selectPort);
  const selectedPort = useApp((s) => s.selectedPort);
  const manualPort = useApp((s) => s.manualPort);
  const text = manualText.trim();
  return (
    <form
      className="manual-port"
      onSubmit={(e) => {
        e.preventDefault();
        if (text) void selectPort(text, true);
      }}
    >
      <label htmlFor="manual-port">{t('port.manual')}</label>
      <div className="row">
        <input
          id="manual-port"
          type="text"
          value={manualText}
          placeholder="/dev/ttyUSB0 · COM7 · tcp://192.168.1.5:8000"
          spellCheck={false}
          autoComplete="off"
          maxLength={512}
          aria-describedby="manual-port-help"
          onChange={(e) => setManualText(e.target.value)}
        />
        <button type="submit" disabled={!text}>
          {t('port.useManual')}
        </button>
      </div>
      <p id="manual-port-help" className="help">
        {manualPort && selectedPort ? t('port.manualSelected', { path: selectedPort }) : t('port.manualHelp')}
      </p>
    </form>
  );
}
