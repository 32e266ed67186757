import assert from 'node:assert/strict'
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {browserCommands, type BrowserOpenerDeps, type LateFailure, openBrowser, type SpawnOutcome, systemBrowserOpenerDeps} from '../../plugins/flow-interactive/src/browser-opener.js'
import {type DisplayEnvironment, isHeadless, isWsl} from '../../plugins/flow-interactive/src/headless.js'

const URL_WITH_SPECIALS = 'https://login.example/tenant/oauth2/v2.0/authorize?client_id=c&scope=openid%20profile&state=a$&b&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2F'

describe('browser opener', () => {
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'entratool-browser-'))
  })

  after(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  /** A fake browser: a shell script that writes its arguments, one per line, to `<name>.args`. */
  async function fakeBrowser(name: string): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg"; done > '${path}.args'\n`, {mode: 0o755})
    return path
  }

  /** The browser was spawned detached: wait for its record to appear. */
  async function recordedArgs(path: string): Promise<string[]> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const text = await readFile(`${path}.args`, 'utf8').catch(() => undefined)
      if (text?.endsWith('\n')) return text.slice(0, -1).split('\n')
      await new Promise((resolve) => {
        setTimeout(resolve, 20)
      })
    }

    throw new Error(`${path} was never run`)
  }

  async function fileAppears(path: string): Promise<void> {
    for (let attempt = 0; attempt < 250; attempt++) {
      if (await readFile(path).then(() => true, () => false)) return
      await new Promise((resolve) => {
        setTimeout(resolve, 20)
      })
    }

    throw new Error(`${path} never appeared`)
  }

  const open = (browser: string) => openBrowser(URL_WITH_SPECIALS, systemBrowserOpenerDeps({...process.env, BROWSER: browser}))

  it('replaces %s in a BROWSER command with the URL', async () => {
    const browser = await fakeBrowser('percent-s')
    assert.equal(await open(`${browser} --new-window %s --flag=%s`), 'launched')
    assert.deepEqual(await recordedArgs(browser), ['--new-window', URL_WITH_SPECIALS, `--flag=${URL_WITH_SPECIALS}`])
  })

  it('appends the URL to a BROWSER command without %s', async () => {
    const browser = await fakeBrowser('appended')
    assert.equal(await open(`${browser} --private`), 'launched')
    assert.deepEqual(await recordedArgs(browser), ['--private', URL_WITH_SPECIALS])
  })

  it('falls through a BROWSER list past commands that cannot start', async () => {
    const notExecutable = join(dir, 'not-executable')
    await writeFile(notExecutable, '#!/bin/sh\n', {mode: 0o644})
    const browser = await fakeBrowser('third')
    assert.equal(await open(`${join(dir, 'missing')}:${notExecutable} %s:${browser}`), 'launched')
    assert.deepEqual(await recordedArgs(browser), [URL_WITH_SPECIALS])
  })

  it('keeps a quoted command path with spaces together', async () => {
    await mkdir(join(dir, 'with space'))
    const browser = await fakeBrowser('with space/quoted')
    await chmod(browser, 0o755)
    assert.equal(await open(`"${browser}" %s`), 'launched')
    assert.deepEqual(await recordedArgs(browser), [URL_WITH_SPECIALS])
  })

  it('reports failure when no BROWSER command starts, without trying the default, and says why', async () => {
    const reasons: string[] = []
    const deps = systemBrowserOpenerDeps({BROWSER: `${join(dir, 'missing')}:${join(dir, 'also-missing')}`, PATH: process.env.PATH})
    assert.equal(await openBrowser(URL_WITH_SPECIALS, deps, (reason) => reasons.push(reason)), 'failed')
    assert.deepEqual(reasons, [`${join(dir, 'missing')} could not be started (ENOENT)`, `${join(dir, 'also-missing')} could not be started (ENOENT)`])
  })

  it('a BROWSER that exits non-zero at once (chromium without a display) failed; one that exits 0 at once (true) is not known to have worked', async () => {
    const reasons: string[] = []
    const failing = join(dir, 'exits-1')
    await writeFile(failing, '#!/bin/sh\nexit 1\n', {mode: 0o755})
    assert.equal(await openBrowser('u', systemBrowserOpenerDeps({BROWSER: failing, PATH: process.env.PATH}), (reason) => reasons.push(reason)), 'failed')
    assert.deepEqual(reasons, [`${failing} exited with code 1`])
    assert.equal(await openBrowser('u', systemBrowserOpenerDeps({BROWSER: 'true', PATH: process.env.PATH})), 'launched')
  })

  it('a BROWSER still running after the launch wait opened; a failure after that is still reported', async () => {
    const slow = join(dir, 'fails-late')
    await writeFile(slow, '#!/bin/sh\nsleep 0.4\nexit 3\n', {mode: 0o755})
    const late = new Promise<string>((resolve) => {
      void openBrowser('u', systemBrowserOpenerDeps({BROWSER: slow, PATH: process.env.PATH}, undefined, 100), resolve).then((outcome) => assert.equal(outcome, 'opened'))
    })
    assert.equal(await late, `${slow} exited with code 3`)
  })

  it('ends the launch wait as soon as the browser is known to have loaded the address', async function () {
    // The wait is longer than the test may take: only `reached` can end it.
    this.timeout(10_000)
    const waiting = join(dir, 'runs-until-told')
    await writeFile(waiting, `#!/bin/sh\n: > '${waiting}.started'\nwhile [ ! -e '${waiting}.go' ]; do sleep 0.05; done\n: > '${waiting}.exited'\n`, {mode: 0o755})
    const reached = new AbortController()
    const opening = openBrowser('u', systemBrowserOpenerDeps({BROWSER: waiting, PATH: process.env.PATH}, undefined, 60_000), () => {}, reached.signal)
    try {
      await fileAppears(`${waiting}.started`)
      reached.abort()
      assert.equal(await opening, 'opened')
    } finally {
      await writeFile(`${waiting}.go`, '')
      await fileAppears(`${waiting}.exited`)
    }
  })

  it('does not start another command once the browser loaded the address, nor report how the command ends after that', async () => {
    const reached = new AbortController()
    const started: string[] = []
    const reasons: string[] = []
    let late: LateFailure | undefined
    const deps: BrowserOpenerDeps = {
      env: {BROWSER: 'wrapper:firefox'},
      platform: 'linux',
      procVersion: () => undefined,
      async spawn(command, _args, report) {
        started.push(command)
        late = report
        reached.abort()
        return {reason: `${command} exited with code 1`, type: 'failed'}
      },
    }
    assert.equal(await openBrowser('u', deps, (reason) => reasons.push(reason), reached.signal), 'opened')
    late!('wrapper exited with code 1')
    assert.deepEqual([started, reasons], [['wrapper'], []])
  })

  it('starts the browser with the environment it is given, not the process environment', async () => {
    const dump = join(dir, 'dump-env')
    await writeFile(dump, `#!/bin/sh\nenv > '${dump}.env'\nprintf 'x\\n' > '${dump}.args'\n`, {mode: 0o755})
    const env = {BROWSER: dump, ENTRATOOL_CLIENT_SECRET: 'parent-secret', PATH: process.env.PATH}
    await openBrowser('u', systemBrowserOpenerDeps(env, {PATH: process.env.PATH, SEEN: 'yes'}))
    await recordedArgs(dump)
    const seen = await readFile(`${dump}.env`, 'utf8')
    assert.match(seen, /^SEEN=yes$/m)
    assert.doesNotMatch(seen, /parent-secret/)
  })

  it('splits BROWSER on ; on Windows, where : is part of a path', () => {
    assert.deepEqual(browserCommands('C:\\Tools\\ff.exe -new-tab %s;edge', 'u', 'win32'), [
      ['C:\\Tools\\ff.exe', '-new-tab', 'u'],
      ['edge', 'u'],
    ])
    assert.deepEqual(browserCommands('::firefox:', 'u', 'linux'), [['firefox', 'u']])
  })

  describe('without BROWSER', () => {
    function fakeDeps(overrides: Partial<BrowserOpenerDeps> & {started?: string[][]}): BrowserOpenerDeps {
      const started = overrides.started ?? []
      return {
        env: {},
        platform: 'linux',
        procVersion: () => 'Linux version 6.1.0 (debian)',
        async spawn(command, args) {
          started.push([command, ...args])
          return {reason: `${command} could not be started (ENOENT)`, type: 'failed'}
        },
        ...overrides,
      }
    }

    const exited: SpawnOutcome = {type: 'exited'}

    it('uses wslview on WSL, then cmd.exe with the URL escaped for cmd', async () => {
      const started: string[][] = []
      const deps = fakeDeps({
        procVersion: () => 'Linux version 5.15.153.1-microsoft-standard-WSL2',
        async spawn(command, args) {
          started.push([command, ...args])
          return command === 'cmd.exe' ? exited : {reason: 'no', type: 'failed'}
        },
      })
      assert.equal(await openBrowser('https://x/?a=1&b=(2)', deps), 'launched')
      assert.deepEqual(started, [
        ['wslview', 'https://x/?a=1&b=(2)'],
        ['cmd.exe', '/c', 'start', '""', 'https://x/?a=1^&b=^(2^)'],
      ])
    })

    it('starts the platform opener itself (so it gets the environment without secrets); trusts it on macOS and Windows but not on Linux, where xdg-open cannot tell', async () => {
      const started: string[][] = []
      const ok = (platform: NodeJS.Platform) =>
        fakeDeps({
          platform,
          async spawn(command, args) {
            started.push([command, ...args])
            return exited
          },
        })
      assert.equal(await openBrowser('u', ok('darwin')), 'opened')
      assert.equal(await openBrowser('u', ok('win32')), 'opened')
      assert.equal(await openBrowser('u', ok('linux')), 'launched')
      assert.deepEqual(started, [
        ['open', 'u'],
        ['rundll32', 'url.dll,FileProtocolHandler', 'u'],
        ['xdg-open', 'u'],
      ])
      const reasons: string[] = []
      assert.equal(await openBrowser('u', fakeDeps({}), (reason) => reasons.push(reason)), 'failed')
      assert.deepEqual(reasons, ['xdg-open could not be started (ENOENT)'])
    })

    it('counts xdg-open as opened when the browser it handed the URL to loaded the address', async () => {
      const reached = new AbortController()
      const deps = fakeDeps({
        async spawn() {
          reached.abort()
          return exited
        },
      })
      assert.equal(await openBrowser('u', deps, () => {}, reached.signal), 'opened')
    })
  })
})

describe('headless detection', () => {
  const linux = 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)'
  const wsl = 'Linux version 5.15.153.1-microsoft-standard-WSL2'
  const ssh = {SSH_CONNECTION: '10.0.0.2 50000 10.0.0.3 22'}

  const table: Array<[string, NodeJS.Platform, NodeJS.ProcessEnv, string | undefined, boolean]> = [
    ['Linux desktop with X11', 'linux', {DISPLAY: ':0'}, linux, false],
    ['Linux desktop with Wayland', 'linux', {WAYLAND_DISPLAY: 'wayland-0'}, linux, false],
    ['Linux without a display', 'linux', {}, linux, true],
    ['Linux without a display but with BROWSER', 'linux', {BROWSER: 'lynx'}, linux, false],
    ['WSL (kernel says microsoft)', 'linux', {}, wsl, false],
    ['WSL (WSL_DISTRO_NAME)', 'linux', {WSL_DISTRO_NAME: 'Ubuntu'}, undefined, false],
    ['SSH into Linux without forwarding', 'linux', ssh, linux, true],
    ['SSH into Linux with X11 forwarding', 'linux', {...ssh, DISPLAY: 'localhost:10.0'}, linux, false],
    ['SSH (SSH_TTY only) into macOS', 'darwin', {SSH_TTY: '/dev/ttys001'}, undefined, true],
    ['SSH (SSH_CLIENT only) into WSL', 'linux', {SSH_CLIENT: '10.0.0.2 50000 22'}, wsl, true],
    ['SSH with BROWSER set', 'linux', {...ssh, BROWSER: 'w3m'}, linux, false],
    ['local macOS', 'darwin', {}, undefined, false],
    ['local Windows', 'win32', {}, undefined, false],
  ]

  for (const [name, platform, env, procVersion, headless] of table) {
    it(`${name}: ${headless ? 'headless' : 'has a browser'}`, () => {
      const environment: DisplayEnvironment = {env, platform, procVersion: () => procVersion}
      assert.equal(isHeadless(environment), headless)
    })
  }

  it('recognises WSL only on Linux', () => {
    assert.equal(isWsl({env: {WSL_DISTRO_NAME: 'Ubuntu'}, platform: 'win32', procVersion: () => undefined}), false)
    assert.equal(isWsl({env: {}, platform: 'linux', procVersion: () => wsl}), true)
  })
})
