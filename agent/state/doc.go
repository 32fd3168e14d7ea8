// Package state keeps the agent's identity in its state directory: the
// private key (0600, never sent anywhere), the certificate the server
// signed at enrollment, the workspace CA, and identity.json (DeviceId,
// server URL). The directory is 0700 and also holds the event queue
// (queue/) and the last health the agent wrote (health.json).
package state
