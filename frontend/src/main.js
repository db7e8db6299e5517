import { createApp } from 'vue'
import App from './App.vue'
import './styles.css'
import { loadConfig } from './config.js'
import { configureAmplify } from './amplify.js'
import { configureApi } from './api/client.js'
import { idToken, signOut } from './composables/useSession.js'
import { chosenOrgId, onOrgNotFound } from './composables/useOrg.js'
import { createAppRouter, signInAgain } from './router/index.js'

function showStartupError(error) {
  const root = document.getElementById('app')
  const box = document.createElement('div')
  box.className = 'startup-error'
  box.setAttribute('role', 'alert')
  const heading = document.createElement('h1')
  heading.textContent = 'The site could not start'
  const detail = document.createElement('p')
  detail.textContent = error.message
  box.append(heading, detail)
  root.replaceChildren(box)
}

async function start() {
  const config = await loadConfig()
  configureAmplify(config)
  const router = createAppRouter()
  configureApi({ getToken: idToken, onUnauthorized: signInAgain(router, signOut), getOrgId: chosenOrgId, onOrgNotFound })
  const app = createApp(App)
  app.use(router)
  await router.isReady()
  app.mount('#app')
}

start().catch(showStartupError)
