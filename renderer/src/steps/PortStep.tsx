import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../components/ErrorBox';
import { DoctorPanel } from '../components/DoctorPanel';
import { ManualPort } from '../components/ManualPort';
import { useApp } from '../store';
import { useDoctor } from '../stores/doctor';

export function PortStep() {
  const { t } = useTranslation();
  const ports = useApp((s) => s.ports);
  const portsLoading = useApp((s) => s.portsLoading);
  const portsError = useApp((s) => s.portsError);
  const selectedPort = useApp((s) => s.selectedPort);
  const manualPort = useApp((s) => s.manualPort);
  const portGone = useApp((s) => s.portGone);
  const refreshPorts = useApp((s) => s.refreshPorts);
  const selectPort = useApp((s) => s.selectPort);
  const manualText = useApp((s) => s.manualText);
  const doctorOpen = useDoctor((s) => s.open);
  const doctorRunning = useDoctor((s) => s.running);
  const runDoctor = useDoctor((s) => s.run);
  // The doctor looks at the chosen port, else the one typed by hand, else it finds the adapter.
  const doctorTarget = selectedPort ?? manualText.trim();
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

  const selected = ports.find((p) => p.path === selectedPort);
  return (
    <section aria-labelledby="port-title">
      <h2 id="port-title" tabIndex={-1}>
        {t('port.title')}
      </h2>
      <p className="intro">{t('port.intro')}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void refreshPorts()} disabled={portsLoading} aria-keyshortcuts="F5">
          ⟳ {t('port.refresh')}
        </button>
        <button type="button" onClick={() => void runDoctor(doctorTarget)} disabled={doctorRunning} title={t('doctor.diagnoseHelp')} data-testid="doctor-open">
          ⚕ {t('doctor.diagnose')}
        </button>
        {portsLoading ? <span aria-live="polite">{t('port.loading')}</span> : null}
      </div>
      {portsError ? <ErrorBox error={portsError} /> : null}
      {portGone ? (
        <p className="notice" role="status">
          {t('port.gone', { path: portGone })}
        </p>
      ) : null}
      {!portsLoading && ports.length === 0 ? <p>{t('port.none')}</p> : null}
      <div role="radiogroup" aria-label={t('port.title')}>
        <ul className="port-list">
          {ports.map((p) => {
            const checked = p.path === selectedPort && !manualPort;
            return (
              <li key={p.path}>
                <label className={`port ${checked ? 'selected' : ''}`} data-testid={`port-${p.path}`}>
                  <input type="radio" name="port" value={p.path} checked={checked} onChange={() => void selectPort(p.path)} />
                  <span className="port-path">{p.kind === 'virtual' ? t('port.demoName') : p.path}</span>
                  {p.opticalHead ? <span className="badge head">◉ {t('port.opticalHead')}</span> : null}
                  {p.kind === 'virtual' ? <span className="badge demo">{t('port.demo')}</span> : null}
                  <span className="port-meta">
                    {p.kind === 'virtual'
                      ? t('port.demoHelp')
                      : [p.headName, p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber, p.driver]
                          .filter(Boolean)
                          .join(' · ')}
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      </div>
      <ManualPort />
      {selectedPort ? (
        <p className="selected-port" role="status">
          {t('port.selected', { path: selected?.kind === 'virtual' ? t('port.demoName') : selectedPort })}
        </p>
      ) : null}
      {doctorOpen ? <DoctorPanel target={doctorTarget} /> : null}
    </section>
  );
}
