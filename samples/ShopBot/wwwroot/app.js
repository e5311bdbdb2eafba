// ShopBot web chat on AgentKit's session API (MapAgentKit): one conversation per browser (its id kept in
// localStorage, so a customer can come back, with its replies, tool steps and errors), replies streamed as
// server-sent events from POST /api/sessions/{id}/messages, tool calls shown as plain steps, a typing indicator,
// and a Stop button that aborts the request (the server cancels the run). The browser signs in with POST /api/signin, which sets ShopBot's sign-in cookie
// (HttpOnly, SameSite=Strict); the conversations belong to that signed-in customer.
(() => {
  const agent = 'shopbot';
  const transcript = document.getElementById('transcript');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const send = document.getElementById('send');
  const stop = document.getElementById('stop');
  const typing = document.getElementById('typing');
  const storageKey = 'shopbot.session';
  let sessionId = localStorage.getItem(storageKey);
  let activities = {};
  let running = null;
  const shownLabels = new Set();
  const steps = new Map();

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

  // Tool activity as plain steps: the texts each tool declares in its policy (GET /api/sessions/{id} → activities),
  // or a generic one. A step runs ("Looking up your order…"), then is done ("Order found") or not done.
  function activity(tool) {
    return activities[tool] ?? { running: 'Working on it…', completed: 'Done' };
  }

  function startStep(callId, tool) {
    const step = add('step running', activity(tool).running);
    step.dataset.tool = tool;
    steps.set(callId, step);
    return step;
  }

  function finishStep(callId, tool, resultText, succeeded) {
    const step = steps.get(callId) ?? startStep(callId, tool);
    let parsed = null;
    try { parsed = typeof resultText === 'string' ? JSON.parse(resultText) : resultText; } catch { /* plain text */ }
    // ShopBot's tools report what did not happen in their result: a refusal or outage (status), no such order
    // (found: false), a failed verification (verified: false next to attempts_left).
    const refused = parsed?.status === 'refused' || parsed?.status === 'unavailable' || parsed?.found === false
      || (parsed?.verified === false && parsed?.attempts_left !== undefined);
    const { running, completed } = activity(tool);
    const failed = typeof resultText === 'string' && resultText.startsWith('Error:');
    if (succeeded && !refused && !failed) {
      step.className = 'step done';
      step.textContent = completed;
    } else {
      step.className = 'step not-done';
      step.textContent = `${running.replace(/…$/, '')}: not done`;
    }
    if (parsed?.label_url) showLabel(parsed.label_url, parsed.tracking_number);
  }

  // How a turn that did not complete ended, in plain words (the run's outcome is the error's code).
  function showEnding(outcome, error) {
    if (outcome === 'Cancelled') add('stopped', 'Stopped.');
    else if (outcome === 'TimedOut') add('error', 'Sorry, that took too long, so I stopped. Please try again.');
    else add('error', `Sorry, something went wrong: ${error ?? 'the assistant stopped.'}`);
  }

  function setBusy(busy) {
    send.disabled = busy;
    stop.hidden = !busy;
    typing.hidden = !busy;
    document.body.dataset.idle = busy ? 'false' : 'true';
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

  // The stored conversation as the customer saw it: messages, tool steps, the label, and how a turn ended.
  function replay(messages) {
    for (const m of messages) {
      for (const c of m.contents ?? []) {
        if (c.$type === 'text' && c.text && (m.role === 'user' || m.role === 'assistant')) add(`msg ${m.role}`, c.text);
        else if (c.$type === 'functionCall') startStep(c.callId, c.name);
        else if (c.$type === 'functionResult') finishStep(c.callId, steps.get(c.callId)?.dataset.tool ?? '', c.result, true);
        else if (c.$type === 'error') showEnding(c.errorCode, c.message);
      }
    }
    return messages.some(m => m.role === 'user');
  }

  async function ensureSession() {
    if (sessionId) {
      const existing = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
      if (existing.ok) {
        const session = await existing.json();
        activities = session.activities ?? {};
        return replay(session.messages ?? []);
      }
    }
    const created = await api('/api/sessions', json({ agent }));
    if (!created.ok) throw new Error(await problemText(created));
    sessionId = (await created.json()).id;
    localStorage.setItem(storageKey, sessionId);
    const fresh = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
    if (fresh.ok) activities = (await fresh.json()).activities ?? {};
    return false;
  }

  function onEvent(evt, state) {
    switch (evt.type) {
      case 'text_delta':
        typing.hidden = true;
        state.reply ??= add('msg assistant', '');
        state.reply.textContent += evt.text;
        transcript.scrollTop = transcript.scrollHeight;
        break;
      case 'tool_call':
        state.reply = null;
        startStep(evt.callId, evt.toolName);
        typing.hidden = false;
        break;
      case 'tool_result':
        finishStep(evt.callId, evt.toolName, evt.result, evt.status === 'Succeeded');
        break;
      case 'run_failed':
        state.ended = true;
        showEnding(evt.result?.outcome, evt.result?.error);
        break;
    }
  }

  async function sendMessage(text) {
    add('msg user', text);
    setBusy(true);
    const state = { reply: null, ended: false };
    running = new AbortController();
    try {
      const response = await api(`/api/sessions/${encodeURIComponent(sessionId)}/messages`, {
        ...json({ content: text, stream: true }),
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        signal: running.signal,
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
      // Stop aborts the request; the server cancels the run and keeps what was said so far.
      if (error.name === 'AbortError') showEnding('Cancelled');
      else add('error', `Connection problem: ${error.message}`);
    } finally {
      running = null;
      for (const step of steps.values()) {
        if (step.classList.contains('running')) {
          step.className = 'step not-done';
          step.textContent = `${step.textContent.replace(/…$/, '')}: not done`;
        }
      }
      setBusy(false);
      input.focus();
    }
  }

  stop.addEventListener('click', () => running?.abort());

  form.addEventListener('submit', event => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || send.disabled) return;
    input.value = '';
    sendMessage(text);
  });

  document.getElementById('new-chat').addEventListener('click', () => {
    localStorage.removeItem(storageKey);
    sessionId = null;
    transcript.replaceChildren();
    steps.clear();
    start();
  });

  async function start() {
    try {
      const resumed = await ensureSession();
      if (!resumed) add('msg assistant', 'Hello! I can help you return an item or answer questions about returns. What can I do for you?');
    } catch (error) {
      add('error', `Could not start the chat: ${error.message}`);
    } finally {
      document.body.dataset.ready = 'true';
    }
  }

  start();
})();
