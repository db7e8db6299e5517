"""The HTTP edge: request parsing and the one error shape of every answer
(`http`), who is calling — the Cognito ID token (`auth`), metered routes —
an API key, a cost and the credit headers (`metering`), and the OpenAPI 3.1
document that is the API's contract (`openapi`, `openapi_admin`,
`openapi_parts`). app.py's handlers call into here and into the domain
packages; nothing below imports this package."""
