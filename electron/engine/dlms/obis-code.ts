/** Six-part logical names: shared by the engine and the renderer, so they live in shared/. */
export * from '../../../shared/obis-code';
