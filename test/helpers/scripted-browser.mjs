#!/usr/bin/env node
// $BROWSER for the benchmark and the leak test: a scripted person, no real browser. It POSTs the
// username and password to the sign-in URL entratool opened (the emulator's scripted sign-in),
// then follows the redirects to the loopback callback and its /done page with plain HTTP GETs,
// and writes what it saw to $BENCH_BROWSER_RESULT so the benchmark can check the sign-in happened.
import {readFileSync, writeFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {URL, URLSearchParams} from 'node:url'

const [launchUrl] = process.argv.slice(2)
const env = process.env
const result = {hops: [], ok: false}

try {
  if (!launchUrl) throw new Error('no URL given')
  // entratool starts the browser with a one-time loopback address that redirects to the sign-in page.
  let url = launchUrl
  if (launchUrl.startsWith('http:')) {
    const hop = await send(launchUrl, {method: 'GET'})
    result.hops.push(`GET launch -> ${hop.status}`)
    if (hop.status !== 302 || !hop.location) throw new Error(`the launch address answered ${hop.status}, not a redirect`)
    url = hop.location
  }

  const ca = readFileSync(env.BENCH_BROWSER_CA ?? '')
  const form = new URLSearchParams({password: env.BENCH_BROWSER_PASSWORD ?? '', username: env.BENCH_BROWSER_USER ?? ''}).toString()
  const signIn = await send(url, {ca, headers: {'content-length': Buffer.byteLength(form), 'content-type': 'application/x-www-form-urlencoded'}, method: 'POST'}, form)
  result.hops.push(`POST authorize -> ${signIn.status}`)
  if (signIn.status !== 302 || !signIn.location) throw new Error(`sign-in answered ${signIn.status}, not a redirect: ${signIn.body.slice(0, 300)}`)

  let next = new URL(signIn.location, url)
  if (next.protocol !== 'http:') throw new Error(`sign-in redirected to ${next.origin}, not to a loopback http redirect`)
  for (let hop = 0; hop < 5; hop++) {
    const res = await send(next.toString(), {method: 'GET'})
    result.hops.push(`GET ${next.pathname} -> ${res.status}`)
    if (res.status >= 300 && res.status < 400 && res.location) {
      next = new URL(res.location, next)
      continue
    }

    result.ok = res.status === 200 && /Authentication successful/.test(res.body)
    if (!result.ok) result.error = `final page ${res.status}: ${res.body.slice(0, 300)}`
    break
  }
} catch (error) {
  result.error = String(error)
} finally {
  if (env.BENCH_BROWSER_RESULT) writeFileSync(env.BENCH_BROWSER_RESULT, JSON.stringify(result))
}

function send(target, options, body) {
  const request = target.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(target, {...options, agent: false, timeout: 15_000}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({body: text, location: res.headers.location, status: res.statusCode ?? 0}))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`timed out: ${target}`)))
    req.on('error', reject)
    req.end(body)
  })
}
