import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../components';
import { useApp } from '../store';

export function PortStep() {
  const { t } = useTranslation();
  const { ports, portsLoading, portsError, selectedPort, refreshPorts, selectPort } = useApp();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F5') {
        e.preventDefault();
        void refreshPorts();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [refreshPorts]);

  return (
    <section aria-labelledby="port-title">
      <h2 id="port-title">{t('port.title')}</h2>
      <p className="intro">{t('port.intro')}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void refreshPorts()} disabled={portsLoading}>
          {t('port.refresh')}
        </button>
        {portsLoading ? <span aria-live="polite">{t('port.loading')}</span> : null}
      </div>
      {portsError ? <ErrorBox error={portsError} /> : null}
      {!portsLoading && ports.length === 0 ? <p>{t('port.none')}</p> : null}
      <ul className="port-list" role="radiogroup" aria-label={t('port.title')}>
        {ports.map((p) => {
          const checked = p.path === selectedPort;
          return (
            <li key={p.path}>
              <label className={`port ${checked ? 'selected' : ''}`} data-testid={`port-${p.path}`}>
                <input type="radio" name="port" value={p.path} checked={checked} onChange={() => void selectPort(p.path)} />
                <span className="port-path">{p.kind === 'virtual' ? t('port.demoName') : p.path}</span>
                {p.opticalHead ? <span className="badge head">{t('port.opticalHead')}</span> : null}
                {p.kind === 'virtual' ? <span className="badge demo">{t('port.demo')}</span> : null}
                <span className="port-meta">
                  {p.kind === 'virtual'
                    ? null
                    : [p.headName, p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber]
                        .filter(Boolean)
                        .join(' · ')}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      {selectedPort ? (
        <p className="selected-port">
          {t('port.selected', { path: ports.find((p) => p.path === selectedPort)?.kind === 'virtual' ? t('port.demoName') : selectedPort })}
        </p>
      ) : null}
    </section>
  );
}
