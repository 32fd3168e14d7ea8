// Package client is a Go client for a Goshawk server's HTTP API: the Log
// Analytics query API, the Logs Ingestion API and Goshawk's administration
// endpoints (tokens, tables, data collection rules).
//
// Its methods mirror those of *workspace.Workspace and use the same Go
// types, so that a program can work on a workspace directory it opens
// itself or on a server, behind one small interface of its own:
//
//	c, err := client.New("https://goshawk.example:8443", token, client.Options{CAFile: "ca.crt"})
//	set, err := c.Query(ctx, "SecurityAlert | count", "P1D")
//
// A failed call returns an *Error carrying the HTTP status and the error
// object the server answered with; its message is the innermost one, with
// the line and column for query errors. The token is sent only in the
// Authorization header and never appears in an error; plain http is
// refused except to a loopback address, so that the token does not cross
// a network in clear text.
package client
