/**
 * The preload exposes exactly the contract as `window.omr`: the allowlist of channels is derived
 * from shared/contract.ts, never written twice. Bundled as CommonJS (sandboxed preload).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcName, isEventChannel, isInvokeChannel, type OmrBridge } from '../../shared/contract';
import { errorInfo } from '../../shared/errors';

const bridge: OmrBridge = {
  invoke(channel, request) {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({ ok: false as const, error: errorInfo('UNKNOWN_CHANNEL', String(channel)) });
    }
    return ipcRenderer.invoke(ipcName(channel), request);
  },
  on(channel, listener) {
    if (!isEventChannel(channel)) throw new Error(`unknown event channel ${String(channel)}`);
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(ipcName(channel), handler);
    return () => {
      ipcRenderer.removeListener(ipcName(channel), handler);
    };
  },
};

contextBridge.exposeInMainWorld('omr', bridge);
