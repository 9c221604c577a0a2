/**
 * What a reading is aimed at, shared by reads, alignment, monitoring and the doctor.
 */
import { z } from 'zod';

/** Where the meter is: a serial port path, `virtual:e450` (the demo meter), or `tcp://host:port`. */
export const TargetSchema = z.string().min(1).max(512);

/** Faults the demo meter can be asked to show (alignment practice, tests). */
export const SimFaultSchema = z.enum([
  'noise',
  'drop',
  'flip',
  'echo',
  'silence',
  'slow',
  'unplug',
  'wakeup',
  'ignore-baud',
  'parity',
  'bad-parity',
  'strict-reaction',
]);
export type SimFault = z.infer<typeof SimFaultSchema>;
