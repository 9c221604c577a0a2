import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../shared/errors';

/** An error as a technician needs it: what happened, and what to do. */
export function ErrorBox({ error }: { error: ErrorInfo }) {
  const { t } = useTranslation();
  return (
    <div className="error" role="alert" data-code={error.code}>
      <strong>{error.message}</strong>
      {error.detail ? <span className="detail"> ({error.detail})</span> : null}
      {error.remedy ? (
        <p>
          <span className="remedy-label">{t('error.remedy')} : </span>
          {error.remedy}
        </p>
      ) : null}
    </div>
  );
}
