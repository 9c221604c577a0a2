/**
 * The main side's pushes, routed to the stores. Subscribed once for the life of the window.
 */
import { subscribe } from './api';
import { useApp } from './store';
import { useAlign } from './stores/align';
import { useDoctor } from './stores/doctor';
import { noteEnded } from './stores/operations';
import { useRead } from './stores/read';
import { useMonitor } from './stores/monitor';
import { useListen } from './stores/listen';

export function wireEvents(): () => void {
  const offs = [
    subscribe('ports:changed', (ports) => useApp.getState().portsChanged(ports)),
    subscribe('align:update', (u) => useAlign.getState().onUpdate(u)),
    subscribe('doctor:check', (c) => useDoctor.getState().onCheck(c)),
    subscribe('operation:progress', (p) => useRead.getState().onProgress(p)),
    subscribe('session:readings', (e) => useRead.getState().onReadings(e)),
    subscribe('operation:ended', (e) => {
      noteEnded(e);
      useRead.getState().onEnded(e);
      useMonitor.getState().onEnded(e);
      useListen.getState().onEnded(e);
    }),
    subscribe('monitor:update', (u) => useMonitor.getState().onUpdate(u)),
    subscribe('monitor:anomaly', (e) => useMonitor.getState().onAnomaly(e)),
    subscribe('listen:frame', (e) => useListen.getState().onFrame(e)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
