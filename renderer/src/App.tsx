import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from './components/ErrorBox';
import { SessionsDialog } from './components/SessionsDialog';
import { SettingsDialog } from './components/SettingsDialog';
import { useApp, STEPS, type Step } from './store';
import { AlignStep } from './steps/AlignStep';
import { IdentifyStep } from './steps/IdentifyStep';
import { PortStep } from './steps/PortStep';
import { ReadStep } from './steps/ReadStep';
import { ReviewStep } from './steps/ReviewStep';
import { useIdentify } from './stores/identify';
import { wireEvents } from './wiring';
import { ListenButton, ListenSlot } from './components/ListenView';

function StepContent({ step }: { step: Step }) {
  switch (step) {
    case 'port':
      return <PortStep />;
    case 'align':
      return <AlignStep />;
    case 'identify':
      return <IdentifyStep />;
    case 'read':
      return <ReadStep />;
    case 'review':
      return <ReviewStep />;
  }
}

/** Enter on nothing in particular (the page, a heading, text) goes to the next step. */
function isPlainTarget(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return true;
  // The step's heading holds the focus after a step change (tabIndex -1): Enter there goes on.
  if (el.matches('h2[tabindex="-1"]')) return true;
  return !el.closest('button, a, input, select, textarea, [role="tab"], [tabindex], dialog, form');
}

export function App() {
  const { t } = useTranslation();
  const { step, goTo, next, back, lang, setLang, info, init, initError, selectedPort, dialog, openDialog } = useApp();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const panel = useRef<HTMLElement>(null);
  const identifying = useIdentify((s) => s.loading);
  useEffect(() => {
    let off: (() => void) | undefined;
    try {
      off = wireEvents();
    } catch {
      // No bridge: init() below reports it.
    }
    void init();
    return off;
  }, [init]);

  const index = STEPS.indexOf(step);
  // Identify is left once the meter has answered (or failed): leaving earlier would drop the choice made there.
  const canNext = index < STEPS.length - 1 && (step !== 'port' || !!selectedPort) && (step !== 'identify' || !identifying);

  // A new step: focus goes to its heading, so that a screen reader says where we are and Tab
  // starts from the top of the step. Not when the arrow keys move along the step tabs.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (document.activeElement?.getAttribute('role') === 'tab') return;
    const heading = panel.current?.querySelector<HTMLElement>('h2');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
  }, [step]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Enter' || e.defaultPrevented || dialog || !canNext || !isPlainTarget(e.target)) return;
      e.preventDefault();
      next();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canNext, dialog, next]);

  // Arrow keys move between the wizard's steps (WAI-ARIA tabs pattern).
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const target = STEPS[(index + delta + STEPS.length) % STEPS.length]!;
    goTo(target);
    tabs.current[STEPS.indexOf(target)]?.focus();
  };

  return (
    <div className="app">
      <header className="top">
        <h1>{t('app.title')}</h1>
        <div className="top-right">
          <ListenButton />
          <button type="button" className="header-button" onClick={() => openDialog('sessions')} data-testid="open-sessions">
            {t('sessions.title')}
          </button>
          <button type="button" className="header-button" onClick={() => openDialog('settings')} data-testid="open-settings">
            {t('settings.title')}
          </button>
          <label>
            {t('app.language')}{' '}
            <select aria-label={t('app.language')} value={lang} onChange={(e) => void setLang(e.target.value as 'en' | 'fr')}>
              <option value="fr">Français</option>
              <option value="en">English</option>
            </select>
          </label>
          <span className="version" data-testid="app-version">
            {info ? t('app.version', { version: info.version }) : ''}
          </span>
        </div>
      </header>
      <nav className="steps" role="tablist" aria-label={t('app.wizard')}>
        {STEPS.map((s, i) => (
          <button
            key={s}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            role="tab"
            id={`tab-${s}`}
            aria-selected={s === step}
            aria-controls="step-panel"
            tabIndex={s === step ? 0 : -1}
            className={`step ${s === step ? 'current' : ''} ${i < index ? 'done' : ''}`}
            onClick={() => goTo(s)}
            onKeyDown={onTabKey}
          >
            <span className="num">{i + 1}</span> {t(`steps.${s}`)}
          </button>
        ))}
      </nav>
      <main ref={panel} id="step-panel" role="tabpanel" aria-labelledby={`tab-${step}`} className="panel">
        {initError ? <ErrorBox error={initError} /> : null}
        <StepContent step={step} />
      </main>
      <footer className="nav">
        <button type="button" className="big" onClick={back} disabled={index === 0}>
          ← {t('nav.back')}
        </button>
        <span>{t('nav.stepOf', { n: index + 1, total: STEPS.length })}</span>
        <button type="button" className="primary big" onClick={next} disabled={!canNext} data-testid="nav-next">
          {t('nav.next')} →
        </button>
      </footer>
      {dialog === 'sessions' ? <SessionsDialog /> : null}
      {dialog === 'settings' ? <SettingsDialog /> : null}
      <ListenSlot />
    </div>
  );
}
