import { useTranslation } from 'react-i18next';

/** A step that needs a port when none is chosen yet: its title, why, and the way back to the port step. */
export function NoPort({ id, title, onChoose }: { id: string; title: string; onChoose: () => void }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} tabIndex={-1}>
        {title}
      </h2>
      <p>{t('common.noPort')}</p>
      <button type="button" onClick={onChoose}>
        {t('common.choosePort')}
      </button>
    </section>
  );
}
