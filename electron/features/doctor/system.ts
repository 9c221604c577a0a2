/**
 * The system half of the connection doctor: the adapter, permission and conflicts checks. Each is a
 * pure function of what it is given (a {@link HostFs} rooted at `/` or at a fixture tree, the user,
 * the platform, the port path) and never changes the system: where a remedy needs a command, the
 * command is shown for the technician to run.
 */
import { checkAdapter } from './adapter';
import { checkConflicts } from './conflicts';
import { checkPermission } from './permission';
import type { SystemInput } from './system-input';
import type { Check } from '../../../shared/doctor';

export { checkAdapter, windowsDriver } from './adapter';
export { brlttyState, type BrlttyState } from './brltty';
export { checkConflicts } from './conflicts';
export { checkPermission, modeAllows } from './permission';
export { currentUser, targetKind, type DoctorPortInfo, type SystemInput, type TargetKind, type UserInfo } from './system-input';

/** The three system checks in order. */
export function systemChecks(input: SystemInput): Check[] {
  return [checkAdapter(input), checkPermission(input), checkConflicts(input)];
}
