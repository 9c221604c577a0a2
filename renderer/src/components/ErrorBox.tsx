import { useTranslation } from 'react-i18next';
import { localiseError, type ErrorInfo } from '../../../shared/errors';
import { useApp } from '../store';

export type Explanation = 'noPassword' | 'needsAuth' | 'wrongPassword';

/**
 * What a refused association means, from the meter's diagnostic in the detail (the ACSE names
 * of IEC 62056-5-3, or the engine's own words for them). Undefined when the code says enough.
 */
export function explainError(error: Pick<ErrorInfo, 'code' | 'detail'>): Explanation | undefined {
  if (error.code !== 'AUTH_REJECTED' && error.code !== 'ASSOCIATION_REFUSED') return undefined;
  const d = error.detail ?? '';
  if (/does not accept a password/i.test(d)) return 'noPassword';
  if (/authentication-mechanism-name-not-recognised/.test(d) && !/\bhls\b/i.test(d)) return 'noPassword';
  if (/authentication-mechanism-name-required|authentication-required|needs authentication/i.test(d)) return 'needsAuth';
  if (error.code === 'AUTH_REJECTED' && /authentication-failure|wrong password/i.test(d)) return 'wrongPassword';
  return undefined;
}

/**
 * An error as a technician needs it: what happened in words, what to do, and the meter's raw
 * diagnostic last, folded away.
 */
export function ErrorBox({ error: raw }: { error: ErrorInfo }) {
  const { t } = useTranslation();
  // The main side writes in its own language; the code gives the text in the UI's.
  const error = localiseError(
    raw,
    useApp((s) => s.lang),
  );
  const why = explainError(error);
  const message = why ? t(`error.explain.${why}.message`) : error.message;
  // A wrong password keeps the code's remedy (with its lock-out warning).
  const remedy = why && why !== 'wrongPassword' ? t(`error.explain.${why}.remedy`) : error.remedy;
  return (
    <div className="error" role="alert" data-code={error.code} data-explained={why ?? ''}>
      <strong data-testid="error-message">{message}</strong>
      {remedy ? (
        <p data-testid="error-remedy">
          <span className="remedy-label">{t('error.remedy')}</span> {remedy}
        </p>
      ) : null}
      {error.detail ? (
        <details className="detail">
          <summary>{t('error.detail')}</summary>
          <span className="mono" data-testid="error-detail">
            {error.code} · {error.detail}
          </span>
        </details>
      ) : null}
    </div>
  );
}
