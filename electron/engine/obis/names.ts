/** OBIS names (English, French): one table in shared/, used by the engine and the renderer. */
export * from '../../../shared/obis-names';
