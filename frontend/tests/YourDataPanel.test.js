import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import YourDataPanel from '../src/components/YourDataPanel.vue'
import { signInAs, stubApi, testRouter } from './helpers.js'

afterEach(() => vi.unstubAllGlobals())

describe('YourDataPanel', () => {
  it('deletes only once the account email is typed, and shows a refusal', async () => {
    await signInAs('ada@example.com')
    const api = stubApi({
      'DELETE /user': () => new Response(JSON.stringify({ error: { code: 'owns_organisations', message: 'You are the last owner of 1 team organisation: transfer or delete it first.', organisations: [] } }), { status: 409, headers: { 'Content-Type': 'application/json' } }),
    })
    const wrapper = mount(YourDataPanel, {
      props: { email: 'Ada@example.com' },
      // A router of its own: a vi.mock of vue-router would miss the copy of
      // this component that an earlier file in the worker has loaded.
      global: { plugins: [testRouter()] },
      attachTo: document.body,
    })
    await wrapper.get('[data-testid="delete-account"]').trigger('click')
    await flushPromises()
    const confirm = () => wrapper.findAll('dialog button').at(1).trigger('click')
    await wrapper.get('[data-testid="confirm-email"]').setValue('someone@else.com')
    await confirm()
    await flushPromises()
    expect(api.callsTo('DELETE /user')).toHaveLength(0)
    expect(wrapper.get('dialog [role="alert"]').text()).toContain('Type your account')
    await wrapper.get('[data-testid="confirm-email"]').setValue('ada@example.com')
    await confirm()
    await flushPromises()
    expect(api.callsTo('DELETE /user')[0].body).toEqual({ confirm: 'ada@example.com' })
    expect(wrapper.get('dialog [role="alert"]').text()).toContain('transfer or delete it first. Open Members')
    wrapper.unmount()
  })
})
