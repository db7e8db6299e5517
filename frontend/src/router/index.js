import { createRouter, createWebHistory } from 'vue-router'
import { refreshSession, useSession } from '../composables/useSession.js'

const PricingView = () => import('../views/PricingView.vue')

// meta.followsOrg: the page shows the chosen organisation's data, and is
// built again when another one is chosen (App.vue).
export const routes = [
  { path: '/', name: 'home', component: PricingView, meta: { title: 'Pricing', followsOrg: true } },
  { path: '/pricing', name: 'pricing', component: PricingView, meta: { title: 'Pricing', followsOrg: true } },
  { path: '/signin', name: 'signin', component: () => import('../views/SignInView.vue'), meta: { title: 'Sign in' } },
  {
    path: '/account',
    name: 'account',
    component: () => import('../views/AccountView.vue'),
    meta: { title: 'Account', requiresAuth: true, followsOrg: true },
  },
  {
    path: '/members',
    name: 'members',
    component: () => import('../views/MembersView.vue'),
    meta: { title: 'Members', requiresAuth: true, followsOrg: true },
  },
  // Not requiresAuth: a signed-out invitee is told what the link is before signing in.
  { path: '/invite', name: 'invite', component: () => import('../views/InviteView.vue'), meta: { title: 'Invitation' } },
  {
    path: '/admin',
    name: 'admin',
    component: () => import('../views/AdminSummaryView.vue'),
    meta: { title: 'Operations', requiresAuth: true, requiresOperator: true },
  },
  {
    path: '/admin/accounts',
    name: 'admin-search',
    component: () => import('../views/AdminSearchView.vue'),
    meta: { title: 'Find an account', requiresAuth: true, requiresOperator: true },
  },
  {
    path: '/admin/accounts/:id',
    name: 'admin-account',
    component: () => import('../views/AdminAccountView.vue'),
    meta: { title: 'Account (operator)', requiresAuth: true, requiresOperator: true },
  },
  {
    path: '/admin/audit',
    name: 'admin-audit',
    component: () => import('../views/AdminAuditView.vue'),
    meta: { title: 'Audit', requiresAuth: true, requiresOperator: true },
  },
  { path: '/quickstart', name: 'quickstart', component: () => import('../views/QuickstartView.vue'), meta: { title: 'API quick start' } },
  {
    path: '/checkout/success',
    name: 'checkout-success',
    component: () => import('../views/CheckoutSuccessView.vue'),
    meta: { title: 'Payment received' },
  },
  {
    path: '/checkout/cancel',
    name: 'checkout-cancel',
    component: () => import('../views/CheckoutCancelView.vue'),
    meta: { title: 'Checkout cancelled' },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue'), meta: { title: 'Not found' } },
]

/** Where to send someone who must sign in first. */
export function signInLocation(redirect) {
  return { path: '/signin', query: { redirect } }
}

/** Only same-site paths are followed after sign-in. */
export function safeRedirect(value, fallback = '/account') {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return fallback
  }
  return value
}

/** What a 401 from the API does: forget the session the API refused (else
 * the sign-in page would bounce straight back), then sign in and return to
 * the current page. Several 401s at once lead to one sign-in. */
export function signInAgain(router, signOut) {
  let underway = false
  return async () => {
    const here = router.currentRoute.value
    if (underway || here.path === '/signin') return
    underway = true
    try {
      await signOut().catch(() => {})
      await router.push(signInLocation(here.fullPath))
    } finally {
      underway = false
    }
  }
}

export async function requireSession(to) {
  if (!to.meta.requiresAuth) return true
  if (!(await refreshSession())) return signInLocation(to.fullPath)
  // Operators' pages: others go to their own account (the API refuses them anyway).
  if (to.meta.requiresOperator && !useSession().operator) return { path: '/account' }
  return true
}

/** A new page starts at the top; a link to an anchor on a page already
 * shown (e.g. "#notifications") goes to that anchor. An anchor on a page
 * still loading is brought into view by its component once it is there. */
export function scrollBehavior(to, from) {
  const anchor = to.hash && from && to.path === from.path ? document.getElementById(to.hash.slice(1)) : null
  return anchor ? { el: anchor } : { top: 0 }
}

export function createAppRouter(history = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior,
  })
  router.beforeEach(requireSession)
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Credits` : 'Credits'
  })
  return router
}
