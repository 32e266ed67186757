/**
 * The pages the loopback server shows in the browser. Self-contained (inline style, no scripts,
 * no external resources) so nothing leaves the machine and the CSP can be `default-src 'none'`.
 */
export interface Page {
  status: number
  html: string
}

export function escapeHtml(text: string): string {
  return text.replaceAll(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function page(status: number, title: string, paragraphs: string[], tone: 'error' | 'neutral' | 'success'): Page {
  const colour = {error: '#a4262c', neutral: '#323130', success: '#107c10'}[tone]
  const body = paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>entratool - ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#323130}h1{color:${colour};font-size:1.5em}p{line-height:1.5;white-space:pre-wrap}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`
  return {html, status}
}

export function successPage(): Page {
  return page(200, 'Authentication successful', ['You are signed in to entratool. You can close this window and return to the terminal.'], 'success')
}

export function exchangeFailedPage(message: string): Page {
  return page(200, 'Sign-in could not be completed', [message, 'Return to the terminal for details.'], 'error')
}

export function idpErrorPage(error: string, description: string | undefined): Page {
  const paragraphs = [`The identity provider answered: ${error}`]
  if (description) paragraphs.push(description)
  paragraphs.push('Return to the terminal for what to do next.')
  return page(400, 'Sign-in failed', paragraphs, 'error')
}

export function stateMismatchPage(): Page {
  return page(
    400,
    'Sign-in response rejected',
    ['This response does not belong to the sign-in entratool started (its state does not match), so it was not used.', 'Return to the terminal and run the command again.'],
    'error',
  )
}

export function alreadyCompletedPage(): Page {
  return page(409, 'Sign-in already completed', ['entratool has already received a sign-in response. You can close this window.'], 'neutral')
}

export function notCallbackPage(): Page {
  return page(400, 'Waiting for sign-in', ['This address only receives the sign-in response from the identity provider.'], 'neutral')
}

export function notFoundPage(): Page {
  return page(404, 'Not found', ['There is nothing at this address.'], 'neutral')
}

export function badHostPage(): Page {
  return page(421, 'Request refused', ['This server answers only requests addressed to localhost.'], 'error')
}

export function methodNotAllowedPage(): Page {
  return page(405, 'Method not allowed', ['Only GET requests are answered here.'], 'neutral')
}
