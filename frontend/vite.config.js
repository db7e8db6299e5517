import { readFile } from 'node:fs/promises'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const PUBLIC_CONFIG = fileURLToPath(new URL('./public/config.json', import.meta.url))

/** Serves /config.json from $FRONTEND_CONFIG_FILE when it is set, so a local
 * stack can hand its settings to the dev server without writing into the
 * source tree. Otherwise the dev server serves public/config.json as a static
 * file, and `vite preview` (whose build holds no config.json) serves it here. */
export function runtimeConfigFile(env = process.env) {
  const middleware = (fallback) => async (req, res, next) => {
    const file = env.FRONTEND_CONFIG_FILE || fallback
    if (!file) return next()
    try {
      const body = await readFile(file)
      res.setHeader('Content-Type', 'application/json')
      res.setHeader('Cache-Control', 'no-store')
      res.end(body)
    } catch (error) {
      res.statusCode = 404
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify({ error: { code: 'not_found', message: `${file}: ${error.code || error.message}` } }))
    }
  }
  return {
    name: 'runtime-config-file',
    configureServer(server) {
      server.middlewares.use('/config.json', middleware(null))
    },
    configurePreviewServer(server) {
      server.middlewares.use('/config.json', middleware(PUBLIC_CONFIG))
    },
  }
}

export default defineConfig({
  plugins: [vue(), runtimeConfigFile()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    manifest: true,
    // config.json is a deploy-time file: never part of a build.
    copyPublicDir: false,
  },
  test: {
    environment: 'happy-dom',
    // Files share one environment and module graph per worker (~3x faster
    // than one each); tests/setup.js resets the state they share.
    isolate: false,
    // Not threads: a worker thread cannot change its time zone, and
    // tests/format.test.js checks the dates in several.
    pool: 'forks',
    include: ['tests/**/*.test.js'],
    setupFiles: ['tests/setup.js'],
    restoreMocks: true,
    unstubGlobals: true,
  },
})
