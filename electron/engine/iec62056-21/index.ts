/** IEC 62056-21 (optical port, flag protocol): codec, readout parser and the client machine. */
export * from './codec';
export * from './readout';
export * from './client';
export * from './timing';
