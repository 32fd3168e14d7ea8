package main

import (
	"context"

	"github.com/goshawk-sec/goshawk/ingest"
	"github.com/goshawk-sec/goshawk/transform"
)

// newTransformer returns the engine that runs collection rules'
// transformKql. It lives as long as the process.
func newTransformer(ctx context.Context) (ingest.Transformer, error) {
	return transform.New(ctx)
}
