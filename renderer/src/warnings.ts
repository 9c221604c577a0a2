import { ERROR_TEXT, isErrorCode, type Lang } from '../../shared/errors';

/** A warning as the services write it (`CODE: detail`), with the code's message in the UI language. */
export function warningText(w: string, lang: Lang): string {
  const m = /^([A-Z_]+): (.*)$/s.exec(w);
  if (!m || !isErrorCode(m[1])) return w;
  return `${ERROR_TEXT[m[1]][lang].message} (${m[2]})`;
}
