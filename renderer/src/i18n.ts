import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { uiResources } from '../../shared/i18n';

export type UiLang = 'en' | 'fr';

/** French by default when the OS (browser) locale is French. */
export function detectLang(setting: 'auto' | UiLang = 'auto', locale: string = navigator.language): UiLang {
  if (setting !== 'auto') return setting;
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

void i18n.use(initReactI18next).init({
  // The `ui.*` texts of the shared catalogue, with its `{name}` placeholders.
  resources: { en: { translation: uiResources('en') }, fr: { translation: uiResources('fr') } },
  lng: detectLang(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
});

export default i18n;
