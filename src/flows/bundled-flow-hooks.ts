/** A bundled plugin's flows hook, imported with the build. */
export interface BundledFlowHook {
  plugin: string
  hook: (this: unknown, options: object) => Promise<unknown>
}

/**
 * The flows hooks of the plugins this build bundles, packed in with the build: undefined here, so
 * built-in-hooks.ts finds them at run time from package.json; in the hot-path bundle
 * (scripts/bundle-hot-path.mjs) this module is generated from that same package.json, and the four
 * tiny hook modules (and the flows they load) are bundled instead of imported one file at a time.
 */
export const bundledFlowHooks: BundledFlowHook[] | undefined = undefined
