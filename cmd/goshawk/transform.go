package main

import "github.com/goshawk-sec/goshawk/ingest"

// newTransformer returns the engine that runs collection rules'
// transformKql.
func newTransformer() ingest.Transformer { return nil }
