/**
 * The main side's pushes, routed to the stores. Subscribed once for the life of the window.
 */
import { subscribe } from './api';
import { useApp } from './store';
import { useAlign } from './stores/align';
import { noteEnded } from './stores/operations';
import { useRead } from './stores/read';

export function wireEvents(): () => void {
  const offs = [
    subscribe('ports:changed', (ports) => useApp.getState().portsChanged(ports)),
    subscribe('align:update', (u) => useAlign.getState().onUpdate(u)),
    subscribe('operation:progress', (p) => useRead.getState().onProgress(p)),
    subscribe('session:readings', (e) => useRead.getState().onReadings(e)),
    subscribe('operation:ended', (e) => {
      noteEnded(e);
      useRead.getState().onEnded(e);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
