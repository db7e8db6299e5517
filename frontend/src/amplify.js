/** Amplify Auth settings built from config.json. */
import { Amplify } from 'aws-amplify'
import { offersGoogle } from './config.js'

export function amplifyConfig(config, origin) {
  const cognito = {
    userPoolId: config.userPoolId,
    userPoolClientId: config.userPoolClientId,
    loginWith: { email: true },
  }
  if (config.cognitoEndpoint) cognito.userPoolEndpoint = config.cognitoEndpoint
  if (config.oauthDomain && config.signInProviders.length) {
    cognito.loginWith.oauth = {
      domain: config.oauthDomain,
      scopes: ['openid', 'email', 'profile'],
      redirectSignIn: [`${origin}/signin`],
      redirectSignOut: [`${origin}/`],
      responseType: 'code',
      providers: offersGoogle(config) ? ['Google'] : [],
    }
  }
  return { Auth: { Cognito: cognito } }
}

export function configureAmplify(config, origin = window.location.origin) {
  Amplify.configure(amplifyConfig(config, origin))
}
