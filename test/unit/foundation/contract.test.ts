import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, eventChannels, invokeChannels } from '../../../shared/contract';
import { OmrError } from '../../../shared/errors';
import { bindContract, type Handlers } from '../../../electron/runtime/rpc';
import { testServices } from '../../support/services';

const ctx = { client: 'test' };

describe('IPC contract binding', () => {
  it('derives the channel allowlists from the contract', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual(Object.keys(invokeChannels).sort());
    expect([...EVENT_CHANNELS].sort()).toEqual(Object.keys(eventChannels).sort());
    expect(INVOKE_CHANNELS).toContain('ports:list');
  });

  it('binds a handler for every declared channel in the real services', () => {
    const s = testServices();
    expect(Object.keys(s.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('refuses at run time a missing handler or a handler for an undeclared channel', () => {
    const s = testServices();
    const { ['app:info']: _dropped, ...missing } = s.handlers;
    expect(() => bindContract(missing as Handlers)).toThrow(/missing handlers for app:info/);
    expect(() => bindContract({ ...s.handlers, 'fs:read': () => 'x' } as unknown as Handlers)).toThrow(/undeclared channels fs:read/);
  });

  it('rejects an undeclared channel with a typed envelope', async () => {
    const s = testServices();
    const env = await s.dispatcher.dispatch('shell:exec', { cmd: 'rm -rf /' }, ctx);
    expect(env).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const proto = await s.dispatcher.dispatch('__proto__', undefined, ctx);
    expect(proto).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('validates requests with the schema before the handler runs', async () => {
    const s = testServices();
    const spy = vi.spyOn(s.settings, 'set');
    for (const bad of [{ language: 'de' }, { maxBaud: 'fast' }, { reactionTimeoutMs: -1 }, { unknownKey: 1 }, 'string', 42]) {
      const env = await s.dispatcher.dispatch('settings:set', bad, ctx);
      expect(env.ok, JSON.stringify(bad)).toBe(false);
      if (!env.ok) {
        expect(env.error.code).toBe('INVALID_REQUEST');
        expect(env.error.remedy.length).toBeGreaterThan(0);
      }
    }
    expect(spy).not.toHaveBeenCalled();
    const empty = await s.dispatcher.dispatch('app:info', { extra: true }, ctx);
    expect(empty).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('answers with {ok: true, value} and carries typed errors as data', async () => {
    const s = testServices();
    const ok = await s.dispatcher.dispatch('settings:set', { baudSwitchDelayMs: 350 }, ctx);
    expect(ok).toMatchObject({ ok: true, value: { baudSwitchDelayMs: 350 } });
    const info = await s.dispatcher.dispatch('app:info', undefined, ctx);
    expect(info).toMatchObject({ ok: true, value: { version: '0.1.0-test', dataDir: s.dataDir } });

    const onInternalError = vi.fn();
    const failing = bindContract(
      {
        ...s.handlers,
        'ports:list': () => {
          throw new OmrError('PORT_PERMISSION', '/dev/ttyUSB0');
        },
        'app:info': () => {
          throw new TypeError('bug');
        },
      },
      { lang: () => 'fr', onInternalError },
    );
    const typed = await failing.dispatch('ports:list', undefined, ctx);
    expect(typed).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'PORT_PERMISSION', detail: '/dev/ttyUSB0', message: 'Accès refusé au port série.' }),
    });
    if (!typed.ok) expect(typed.error.remedy).toMatch(/dialout/);
    const internal = await failing.dispatch('app:info', undefined, ctx);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL', detail: 'bug' } });
    expect(onInternalError).toHaveBeenCalledTimes(1);
    expect(onInternalError).toHaveBeenCalledWith('app:info', expect.any(TypeError));
  });
});
