/**
 * The doctor's permission check: may this user open the port (mode, owner, groups, ACLs, the
 * app's udev rule), and if not, why and the exact command that fixes it. Pure: it never changes
 * the system.
 */
import { both, joinTexts } from '../../../shared/i18n';
import { findUdevRule, OMR_UDEV_RULE, readGroups, readPasswd } from './linux';
import { notLocal, platformName, type SystemInput, type UserInfo } from './system-input';
import { makeCheck, type Check } from '../../../shared/doctor';

// --- permission ----------------------------------------------------------------------------------

function udevInstallCommand(input: SystemInput): string | undefined {
  if (!input.udevRuleSource) return undefined;
  const src = /^[\w@%+=:,./-]+$/.test(input.udevRuleSource) ? input.udevRuleSource : `'${input.udevRuleSource.replace(/'/g, `'\\''`)}'`;
  return `sudo install -m 0644 ${src} /etc/udev/rules.d/${OMR_UDEV_RULE}\nsudo udevadm control --reload-rules\nsudo udevadm trigger --subsystem-match=tty`;
}

/** Read and write rights of `user` on a node from its mode, owner and group (as the kernel does without ACLs). */
export function modeAllows(st: { uid: number; gid: number; mode: number }, user: UserInfo): { ok: boolean; via?: 'root' | 'owner' | 'group' | 'other' } {
  if (user.uid === 0) return { ok: true, via: 'root' };
  if (st.uid === user.uid) return (st.mode & 0o600) === 0o600 ? { ok: true, via: 'owner' } : { ok: false };
  if (st.gid === user.gid || user.groups.includes(st.gid)) return (st.mode & 0o060) === 0o060 ? { ok: true, via: 'group' } : { ok: false };
  return (st.mode & 0o006) === 0o006 ? { ok: true, via: 'other' } : { ok: false };
}

export function checkPermission(input: SystemInput): Check {
  const skipped = notLocal('permission', input);
  if (skipped) return skipped;
  const lang = input.lang ?? 'en';
  if (input.platform !== 'linux')
    return makeCheck(lang, {
      id: 'permission',
      status: 'skipped',
      seen: both('doctor.permission.notChecked', { platform: platformName(input.platform) }),
    });
  if (input.port === '') return makeCheck(lang, { id: 'permission', status: 'skipped', seen: both('doctor.noPortToCheck') });
  const { fs, user } = input;
  const devPath = fs.realPath(input.port) ?? input.port;
  const st = fs.stat(devPath);
  if (!st) return makeCheck(lang, { id: 'permission', status: 'skipped', seen: both('doctor.nothingToCheck', { path: devPath }) });
  const groups = readGroups(fs);
  const group = groups.find((g) => g.gid === st.gid);
  const owner = readPasswd(fs).find((p) => p.uid === st.uid)?.name ?? String(st.uid);
  const groupName = group?.name ?? String(st.gid);
  const modeText = `${owner}:${groupName} ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;
  const rule = findUdevRule(fs, OMR_UDEV_RULE);
  const facts = {
    path: devPath,
    owner,
    group: groupName,
    gid: st.gid,
    mode: (st.mode & 0o777).toString(8).padStart(4, '0'),
    udevRule: rule.path,
    user: user.username,
  };
  const byMode = modeAllows(st, user);
  const kernel = fs.canReadWrite(devPath);

  if (byMode.ok && kernel !== false) {
    const via =
      byMode.via === 'group'
        ? both('doctor.permission.viaGroup', { group: groupName })
        : byMode.via === 'root'
          ? both('doctor.permission.viaRoot')
          : byMode.via === 'owner'
            ? both('doctor.permission.viaOwner')
            : undefined;
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: both('doctor.permission.ok', { user: user.username, path: devPath, mode: modeText, via: via ? { en: ` ${via.en}`, fr: ` ${via.fr}` } : '' }),
      facts,
    });
  }
  if (!byMode.ok && kernel === true)
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: both('doctor.permission.acl', { user: user.username, path: devPath, mode: modeText }),
      facts: { ...facts, acl: true },
    });
  if (byMode.ok && kernel === false)
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: both('doctor.permission.sandbox', { user: user.username, path: devPath, mode: modeText }),
      remedy: both('doctor.permission.sandboxRemedy'),
      facts,
    });

  // Denied: explain why, from the groups.
  const installRule = udevInstallCommand(input);
  const ruleAlt = rule.path
    ? undefined
    : installRule
      ? both('doctor.permission.orInstallRuleCommand', { rule: OMR_UDEV_RULE, command: installRule.split('\n').join(' && ') })
      : both('doctor.permission.orInstallRule', { rule: OMR_UDEV_RULE });
  const ruleSeen = rule.path ? both('doctor.permission.ruleInstalled', { path: rule.path }) : both('doctor.permission.ruleMissing');

  if (!group || st.gid === 0 || (st.mode & 0o060) !== 0o060) {
    // The group gives no access (root only, or no rw for the group): a rule must open the device.
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: joinTexts([both('doctor.permission.noGroup', { user: user.username, path: devPath, mode: modeText }), ruleSeen]),
      remedy: installRule ? both('doctor.permission.installRule') : both('doctor.permission.installNamedRule', { rule: OMR_UDEV_RULE }),
      command: installRule,
      facts,
    });
  }
  const passwd = readPasswd(fs).find((p) => p.name === user.username);
  const listed = group.members.includes(user.username) || passwd?.gid === group.gid;
  if (listed)
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: both('doctor.permission.groupInactive', { user: user.username, group: group.name, path: devPath, mode: modeText }),
      remedy: both('doctor.permission.groupInactiveRemedy'),
      facts: { ...facts, listedInGroup: true, groupActive: false },
    });
  return makeCheck(lang, {
    id: 'permission',
    status: 'fail',
    code: 'PORT_PERMISSION',
    seen: joinTexts([both('doctor.permission.notInGroup', { user: user.username, path: devPath, mode: modeText, group: group.name }), ruleSeen]),
    remedy: joinTexts([both('doctor.permission.addToGroup', { user: user.username, group: group.name }), ruleAlt]),
    command: `sudo usermod -aG ${group.name} ${user.username}`,
    facts: { ...facts, listedInGroup: false },
  });
}
