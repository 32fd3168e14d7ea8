// Package transport is the agent's side of the wire: HTTPS to the server
// URL of the onboarding package, trusting only the workspace CA; a bearer
// enrollment token for enrollment and the device certificate (mutual
// TLS) for everything after. Bodies are JSON, event batches gzipped.
// Transient failures (network errors, 429, 5xx) are retried with
// exponential backoff and full jitter; a 4xx answer is returned at once
// as a *StatusError. Tokens, keys and bodies are never logged.
package transport
