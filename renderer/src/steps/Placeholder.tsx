import { useTranslation } from 'react-i18next';

/** A wizard step whose content arrives with its issue. */
export function StepIntro({ id }: { id: 'align' | 'identify' | 'read' | 'review' }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t(`${id}.title`)}</h2>
      <p className="intro">{t(`${id}.intro`)}</p>
    </section>
  );
}
