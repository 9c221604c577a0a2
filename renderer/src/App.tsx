import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp, STEPS, type Step } from './store';
import { PortStep } from './steps/PortStep';
import { StepIntro } from './steps/Placeholder';

function StepContent({ step }: { step: Step }) {
  if (step === 'port') return <PortStep />;
  return <StepIntro id={step} />;
}

export function App() {
  const { t } = useTranslation();
  const { step, goTo, next, back, lang, setLang, info, init, selectedPort } = useApp();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => {
    void init();
  }, [init]);

  const index = STEPS.indexOf(step);
  const canNext = index < STEPS.length - 1 && (step !== 'port' || !!selectedPort);

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
      <nav className="steps" role="tablist" aria-label="Wizard">
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
      <main id="step-panel" role="tabpanel" aria-labelledby={`tab-${step}`} className="panel">
        <StepContent step={step} />
      </main>
      <footer className="nav">
        <button type="button" onClick={back} disabled={index === 0}>
          ← {t('nav.back')}
        </button>
        <span>{t('nav.stepOf', { n: index + 1, total: STEPS.length })}</span>
        <button type="button" className="primary" onClick={next} disabled={!canNext}>
          {t('nav.next')} →
        </button>
      </footer>
    </div>
  );
}
