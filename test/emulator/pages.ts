// Plain server-rendered pages with stable element ids, so browser tests (Playwright) and scripted
// form posts drive them the same way.

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] ?? c)
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input{padding:.5rem}button{padding:.6rem}
.error{color:#a4262c}.muted{color:#555;font-size:.9rem}</style></head>
<body><p class="muted">Microsoft Entra ID emulator (entratool tests)</p>${body}</body></html>`
}

function hiddenFields(fields: Iterable<[string, string]>): string {
  return [...fields].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n')
}

function errorLine(error?: string): string {
  return error ? `<p id="error" class="error" role="alert">${escapeHtml(error)}</p>` : ''
}

export interface SignInPageOptions {
  action: string
  appName: string
  hidden: Iterable<[string, string]>
  username?: string
  error?: string
}

export function signInPage(o: SignInPageOptions): string {
  return layout('Sign in to your account', `<h1>Sign in</h1>
<p>to continue to <strong id="app-name">${escapeHtml(o.appName)}</strong></p>${errorLine(o.error)}
<form method="post" action="${escapeHtml(o.action)}">
${hiddenFields(o.hidden)}
<label for="username">Email, phone, or Skype</label>
<input id="username" name="username" type="text" autocomplete="username" value="${escapeHtml(o.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="signin" type="submit" name="action" value="signin">Sign in</button>
<button id="cancel" type="submit" name="action" value="cancel">Cancel</button>
</form>`)
}

export function errorPage(message: string, trace: {traceId: string; correlationId: string}): string {
  return layout('Sign in error', `<h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error" class="error" role="alert">${escapeHtml(message)}</p>
<p class="muted">Request Id: ${escapeHtml(trace.traceId)}<br>Correlation Id: ${escapeHtml(trace.correlationId)}</p>`)
}

export function formPostPage(action: string, fields: Iterable<[string, string]>): string {
  return layout('Working...', `<form method="post" name="hiddenform" action="${escapeHtml(action)}">
${hiddenFields(fields)}
<noscript><p>Script is disabled. Click Submit to continue.</p><button type="submit">Submit</button></noscript>
</form><script>document.forms[0].submit()</script>`)
}

export function deviceCodeEntryPage(error?: string): string {
  return layout('Enter code', `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>${errorLine(error)}
<form method="post" action="/devicelogin">
<input type="hidden" name="step" value="code">
<label for="code">Code</label>
<input id="code" name="user_code" type="text" autocomplete="off" autofocus>
<button id="next" type="submit">Next</button>
</form>`)
}

export function deviceSignInPage(userCode: string, appName: string, username?: string, error?: string): string {
  return signInPage({
    action: '/devicelogin',
    appName,
    hidden: [['step', 'signin'], ['user_code', userCode]],
    username,
    error,
  })
}

export function deviceConsentPage(userCode: string, ticket: string, appName: string, username: string): string {
  return layout('Are you trying to sign in?', `<h1>Are you trying to sign in to ${escapeHtml(appName)}?</h1>
<p>Signed in as <strong id="account">${escapeHtml(username)}</strong>. Only continue if you started this sign-in yourself.</p>
<form method="post" action="/devicelogin">
${hiddenFields([['step', 'consent'], ['user_code', userCode], ['ticket', ticket]])}
<button id="approve" type="submit" name="action" value="approve">Continue</button>
<button id="deny" type="submit" name="action" value="deny">Cancel</button>
</form>`)
}

export function deviceDonePage(approved: boolean, appName: string): string {
  return approved
    ? layout('Signed in', `<h1 id="done">You have signed in to ${escapeHtml(appName)}</h1><p>You may now close this window.</p>`)
    : layout('Sign-in cancelled', `<h1 id="done">Sign-in cancelled</h1><p>The application was not given access. You may now close this window.</p>`)
}

export function messagePage(title: string, text: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(text)}</p>`)
}
