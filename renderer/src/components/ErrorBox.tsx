import { useTranslation } from 'react-i18next';
import { localiseError, type ErrorInfo } from '../../../shared/errors';
import { useApp } from '../store';

/** An error as a technician needs it: what happened, and what to do. */
export function ErrorBox({ error: raw }: { error: ErrorInfo }) {
  const { t } = useTranslation();
  // The main side writes in its own language; the code gives the text in the UI's.
  const error = localiseError(raw, useApp((s) => s.lang));
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
