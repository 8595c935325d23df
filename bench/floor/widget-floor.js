// The floor of the widget size: preact (render, h) and mitt alone, used just enough that the
// bundler keeps them, built exactly like dist/messenger.js (vite library mode, IIFE, es2022).
import mitt from 'mitt';
import { h, render } from 'preact';

const events = mitt();
window.WidgetFloor = {
  init(element) {
    events.on('message', (text) => render(h('div', { role: 'log' }, h('p', null, text)), element));
    return { on: events.on, off: events.off, say: (text) => events.emit('message', text) };
  },
};
