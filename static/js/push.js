// A manager turns the notices of early warnings on and off in this browser, from their account page
// (outreach/templates/auth/_push.html): the browser's push service gives a subscription, which the server keeps
// (POST /akun/push) and pushes each notice to (outreach/push.py); the service worker shows it
// (static/js/service-worker.js). Whatever the browser refuses is said on the page, never swallowed.
const settings = JSON.parse(document.getElementById('push-settings').textContent);
const state = document.getElementById('push-state');
const onButton = document.getElementById('push-on');
const offButton = document.getElementById('push-off');
// How long the worker may take to start, and the push service to answer, before the page says they did not
// (a browser that cannot reach its push service may never answer: headless Chromium, a blocked network).
const WAIT_MS = 20000;

function say(text, error = false) {
  state.textContent = text;
  state.classList.toggle('error', error);
}

function show(on) {
  onButton.hidden = on;
  offButton.hidden = !on;
  onButton.disabled = false;
  offButton.disabled = false;
}

// The server's public key as PushManager takes it: the bytes of its base64url text.
function keyBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

// The promise's value, or an Error saying `message` when it takes longer than WAIT_MS.
async function within(promise, message) {
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

// The page's worker: the one already installed (the guidance pages' or the officer's app's, both show pushed
// notices), else the guidance pages' one, as a guidance page would install it.
async function worker() {
  if (!(await navigator.serviceWorker.getRegistration('/'))) {
    await navigator.serviceWorker.register('/sw.js?guidance', { type: 'module', scope: '/' });
  }
  return within(navigator.serviceWorker.ready, settings.noWorker);
}

// Send to the server; its refusal's message, or ours, as an Error.
async function tell(method, body) {
  let response;
  try {
    response = await fetch(settings.address, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': settings.csrf },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(settings.offline);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || settings.refused);
  return answer;
}

async function turnOn() {
  if (Notification.permission === 'denied') throw new Error(settings.denied);
  if ((await Notification.requestPermission()) !== 'granted') throw new Error(settings.denied);
  const registration = await worker();
  // A subscription made with another server key (the key was changed) cannot be reused.
  const old = await registration.pushManager.getSubscription();
  if (old) await old.unsubscribe();
  let subscription;
  try {
    subscription = await within(registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: keyBytes(settings.key),
    }), settings.noAnswer);
  } catch (error) {
    throw new Error(`${settings.noService} ${error.message || error.name}`);
  }
  await tell('POST', subscription.toJSON());
  settings.mine.push(subscription.endpoint);
}

async function turnOff() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (!subscription) return;
  await tell('DELETE', { endpoint: subscription.endpoint });
  await subscription.unsubscribe();
}

function handle(button, work, on) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    say(settings.working);
    try {
      await work();
      say(on ? settings.on : settings.off);
      show(on);
    } catch (error) {
      say(error.message, true);
      show(!on);
    }
  });
}

// On in this browser: it has a subscription the server keeps for this manager.
async function current() {
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = registration && (await registration.pushManager.getSubscription());
  return Boolean(subscription && settings.mine.includes(subscription.endpoint));
}

if (!supported) {
  say(settings.unsupported, true);
} else {
  handle(onButton, turnOn, true);
  handle(offButton, turnOff, false);
  current().then((on) => {
    say(on ? settings.on : settings.off);
    show(on);
  }, (error) => {
    say(error.message, true);
    show(false);
  });
}
