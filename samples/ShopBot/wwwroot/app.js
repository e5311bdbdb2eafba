// ShopBot web chat on AgentKit's session API (MapAgentKit): one conversation per browser (its id kept in
// localStorage, so a customer can come back), replies streamed as server-sent events from
// POST /api/sessions/{id}/messages. The browser signs in with POST /api/signin, which sets ShopBot's sign-in cookie
// (HttpOnly, SameSite=Strict); the conversations belong to that signed-in customer.
(() => {
  const agent = 'shopbot';
  const transcript = document.getElementById('transcript');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const send = document.getElementById('send');
  const storageKey = 'shopbot.session';
  let sessionId = localStorage.getItem(storageKey);
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

  // AgentKit's errors carry OpenAI's error object and problem details; ShopBot's own carry problem details.
  async function problemText(response) {
    const problem = await response.json().catch(() => ({}));
    return problem.error?.message ?? problem.detail ?? `The server answered ${response.status}.`;
  }

  async function signIn() {
    const response = await fetch('/api/signin', { method: 'POST' });
    if (!response.ok) throw new Error(await problemText(response));
  }

  // An API call with the sign-in cookie; signs in (again) when the server does not know the browser.
  async function api(path, init = {}) {
    let response = await fetch(path, init);
    if (response.status === 401) {
      await signIn();
      response = await fetch(path, init);
    }
    return response;
  }

  const json = body => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  // The stored conversation's user and assistant texts (tool calls and results are not replayed).
  function visibleMessages(messages) {
    return messages
      .filter(m => m.role === 'user' || m.role === 'assistant')
      .map(m => ({ role: m.role, text: (m.contents ?? []).filter(c => c.$type === 'text').map(c => c.text).join('') }))
      .filter(m => m.text.length > 0);
  }

  async function ensureSession() {
    if (sessionId) {
      const existing = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
      if (existing.ok) return visibleMessages((await existing.json()).messages);
    }
    const created = await api('/api/sessions', json({ agent }));
    if (!created.ok) throw new Error(await problemText(created));
    sessionId = (await created.json()).id;
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
        ...json({ content: text, stream: true }),
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
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
