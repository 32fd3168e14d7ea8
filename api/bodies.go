package api

import "sync"

// bodies recycles request-body buffers: ingestion reads many bodies of
// similar size.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}

func getBody() *[]byte { return bodies.Get().(*[]byte) }

func putBody(b *[]byte) {
	if cap(*b) > 8<<20 {
		return // do not keep huge buffers alive
	}
	*b = (*b)[:0]
	bodies.Put(b)
}
