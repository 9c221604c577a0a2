import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import { App } from './App';
import { installWsBridge } from './ws-bridge';

// In a browser served by `omr serve`: the contract over the station's WebSocket.
installWsBridge();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
