// "Pair a device": a one-time code (POST /api/devices/pair), its live countdown to expiry,
// and the two agent commands to type on the new machine (docs/devices.md, "Pairing
// walk-through"). The code is shown only here and only now: the API never shows it again.
import { api } from './api.js';
import { h, announce, errorText } from './dom.js';

const clock = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

// The daemon as this page reached it: the agent claims the code over the same REST port.
function daemonAddress() {
  const port = location.port || (location.protocol === 'https:' ? '443' : '80');
  return { host: location.hostname, port };
}

// The panel; returns { element, stop, live } (stop ends the countdown timer; live() says
// whether a code is waiting to be claimed, so the list can look for the new device often).
export function pairingPanel() {
  let timer = null;
  let liveUntil = 0;
  const out = h('div', { class: 'pairing-out' });
  const button = h('button', { type: 'button', 'data-action': 'pair', onclick: () => create() }, 'Pair a device');
  const panel = h('section', { class: 'card pairing', 'aria-labelledby': 'pairing-title' },
    h('h2', { id: 'pairing-title' }, 'Pair a device'),
    h('p', { class: 'help' }, 'A code works once, for 5 minutes. The new device shows up below as pending; approve it to let it run commands.'),
    button, out);

  const stop = () => { if (timer) clearInterval(timer); timer = null; };

  async function create() {
    stop();
    button.disabled = true;
    try {
      const pairing = await api('POST', '/api/devices/pair');
      show(pairing);
    } catch (err) {
      out.replaceChildren(errorText(err.message));
    } finally {
      button.disabled = false;
    }
  }

  function show({ code, expires_at: expiresAt }) {
    const ends = Date.parse(expiresAt);
    liveUntil = ends;
    const { host, port } = daemonAddress();
    const left = h('span', { id: 'pairing-left' });
    const countdown = h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' }, 'Expires in ', left,
      h('span', { class: 'visually-hidden' }, ` (at ${new Date(ends).toLocaleTimeString()})`));
    const commands = [
      `steward agent pair --host ${host} --port ${port} --code ${code} --name NAME`,
      'steward agent run',
    ].join('\n');
    out.replaceChildren(
      h('p', { class: 'code-line' }, 'Code: ', h('strong', { id: 'pairing-code', class: 'pairing-code' }, code)),
      countdown,
      h('p', {}, 'On the device, as the user the agent will run as (NAME defaults to the host name; from another machine use the address it reaches this daemon at):'),
      h('pre', { id: 'pairing-command', class: 'command', tabindex: '0', 'aria-label': 'Agent commands' }, commands));
    button.textContent = 'New code';
    announce(`Pairing code ${code.split('').join(' ')}, valid 5 minutes`);
    const tick = () => {
      const s = Math.max(0, Math.round((ends - Date.now()) / 1000));
      left.textContent = clock(s);
      if (s === 0) {
        stop();
        countdown.replaceChildren(h('strong', {}, 'Expired.'), ' Make a new code.');
        out.querySelector('#pairing-code')?.classList.add('expired');
        announce('The pairing code expired');
      }
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  return { element: panel, stop, live: () => Date.now() < liveUntil };
}
