// Package content is the content hub: solutions, each a named, versioned
// bundle of a connector's configuration and the content that goes with
// it (hunting queries; analytics rules, workbooks and playbooks as those
// parts of Goshawk arrive). Installing a solution enables its connector's
// data types and saves its content; installing it again is harmless (it
// puts back whatever was removed); uninstalling removes what the install
// added — the content it saved and the data types it had to enable — and
// nothing else.
package content
