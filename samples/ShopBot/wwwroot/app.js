// ShopBot web chat: one conversation per browser (its id kept in localStorage, so a customer can come back),
// replies streamed over server-sent events from POST /api/sessions/{id}/messages. Every API call carries the
// browser's sign-in token from POST /api/signin (also kept in localStorage): sessions belong to the token.
(() => {
  const transcript = document.getElementById('transcript');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const send = document.getElementById('send');
  const storageKey = 'shopbot.session';
  const tokenKey = 'shopbot.token';
  let sessionId = localStorage.getItem(storageKey);
  let token = localStorage.getItem(tokenKey);
  const shownLabels = new Set();

  function add(className, text) {
    const element = document.createElement('div');
    element.className = className;
    element.textContent = text;
    transcript.appendChild(element);
    transcript.scrollTop = transcript.scrollHeight;
    return element;
  }

  function showLabel(url, tracking) {
    if (shownLabels.has(url)) return;
    shownLabels.add(url);
    const box = add('label-link', 'Your return label: ');
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'download the PDF';
    link.dataset.testid = 'label-link';
    box.appendChild(link);
    if (tracking) box.appendChild(document.createTextNode(` (tracking ${tracking})`));
  }

  async function signIn() {
    const response = await fetch('/api/signin', { method: 'POST' });
    if (!response.ok) throw new Error(await problemText(response));
    token = (await response.json()).token;
    localStorage.setItem(tokenKey, token);
  }

  async function problemText(response) {
    const problem = await response.json().catch(() => ({}));
    return problem.detail ?? `The server answered ${response.status}.`;
  }

  // An API call with the token; signs in (again) when there is none or the server no longer accepts it.
  async function api(path, init = {}) {
    if (!token) await signIn();
    const call = () => fetch(path, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` } });
    let response = await call();
    if (response.status === 401) {
      await signIn();
      response = await call();
    }
    return response;
  }

  async function ensureSession() {
    if (sessionId) {
      const existing = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
      if (existing.ok) return (await existing.json()).messages;
    }
    const created = await api('/api/sessions', { method: 'POST' });
    if (!created.ok) throw new Error(await problemText(created));
    sessionId = (await created.json()).sessionId;
    localStorage.setItem(storageKey, sessionId);
    return [];
  }

  function onEvent(evt, state) {
    switch (evt.type) {
      case 'text_delta':
        state.reply ??= add('msg assistant', '');
        state.reply.textContent += evt.text;
        transcript.scrollTop = transcript.scrollHeight;
        break;
      case 'tool_call':
        state.reply = null;
        add('tool', `→ ${evt.toolName}(${JSON.stringify(evt.arguments ?? {})})`);
        break;
      case 'tool_result': {
        let parsed = null;
        try { parsed = JSON.parse(evt.result); } catch { /* plain text */ }
        const status = parsed?.status ?? (evt.status === 'Succeeded' ? 'ok' : 'failed');
        const summary = parsed?.message ?? evt.result;
        add(`tool ${status}`, `← ${evt.toolName}: ${summary.length > 160 ? summary.slice(0, 160) + '…' : summary}`);
        if (parsed?.label_url) showLabel(parsed.label_url, parsed.tracking_number);
        break;
      }
      case 'run_failed':
        add('error', `Sorry, something went wrong: ${evt.result?.error ?? 'the assistant stopped.'}`);
        break;
    }
  }

  async function sendMessage(text) {
    add('msg user', text);
    send.disabled = true;
    const state = { reply: null };
    try {
      const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      if (!response.ok) {
        add('error', await problemText(response));
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n');
          if (data) onEvent(JSON.parse(data), state);
        }
      }
    } catch (error) {
      add('error', `Connection problem: ${error.message}`);
    } finally {
      send.disabled = false;
      document.body.dataset.idle = 'true';
      input.focus();
    }
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || send.disabled) return;
    input.value = '';
    document.body.dataset.idle = 'false';
    sendMessage(text);
  });

  document.getElementById('new-chat').addEventListener('click', () => {
    localStorage.removeItem(storageKey);
    sessionId = null;
    transcript.replaceChildren();
    start();
  });

  async function start() {
    try {
      const history = await ensureSession();
      for (const m of history) add(`msg ${m.role}`, m.text);
      if (history.length === 0) add('msg assistant', 'Hello! I can help you return an item or answer questions about returns. What can I do for you?');
    } catch (error) {
      add('error', `Could not start the chat: ${error.message}`);
    } finally {
      document.body.dataset.ready = 'true';
    }
  }

  start();
})();
