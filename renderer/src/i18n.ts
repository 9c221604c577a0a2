import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import fr from './locales/fr.json';

export type UiLang = 'en' | 'fr';

/** French by default when the OS (browser) locale is French. */
export function detectLang(setting: 'auto' | UiLang = 'auto', locale: string = navigator.language): UiLang {
  if (setting !== 'auto') return setting;
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: detectLang(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export default i18n;
