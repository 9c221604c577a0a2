/** The report types live in shared/ (the renderer shows them); re-exported for the doctor's code. */
export * from '../../../shared/doctor';
