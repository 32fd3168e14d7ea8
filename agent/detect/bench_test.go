package detect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goshawk-sec/goshawk/agent/sensor"
	"github.com/goshawk-sec/goshawk/agentproto"
)

// BenchmarkScanFile is the per-file cost of the file collector's stream:
// a clean 4 KiB file, without hash indicators (EICAR rule only: size
// check) and with them (the file is hashed).
func BenchmarkScanFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "clean.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("x", 4096)), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, withHashes := range []bool{false, true} {
		name := "eicar-only"
		if withHashes {
			name = "with-hash-indicators"
		}
		b.Run(name, func(b *testing.B) {
			d, _ := New(Config{}, &recorder{}, nil)
			if withHashes {
				d.SetIndicators(context.Background(), agentproto.IndicatorSet{Indicators: []agentproto.Indicator{
					{Type: agentproto.IndicatorFileSha256, Value: strings.Repeat("a", 64), Action: agentproto.ActionAlert},
				}})
			}
			b.ReportAllocs()
			for b.Loop() {
				if det, err := d.ScanFile(context.Background(), path, sensor.Process{}); det != nil || err != nil {
					b.Fatal(det, err)
				}
			}
		})
	}
}
