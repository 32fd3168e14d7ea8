package schema

// tables.json is a copy of the shared catalogue, refreshed with go generate.
// The path is relative to this directory: the module root's sibling shared/
// folder.
//go:generate go run ./internal/gencopy ../../shared/schema/tables.json tables.json
