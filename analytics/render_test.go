package analytics

import (
	"reflect"
	"testing"
	"time"
)

func TestRenderFormat(t *testing.T) {
	row := map[string]any{
		"Account":  "alice",
		"Host":     "ws1.contoso.com",
		"Count":    int64(12),
		"Ratio":    0.5,
		"Flag":     true,
		"When":     time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC),
		"Took":     90 * time.Second,
		"Bag":      map[string]any{"a": 1},
		"List":     []any{"x", "y"},
		"Nothing":  nil,
		"Empty":    "",
		"With Sp":  "spaced",
		"Unicode":  "žluťoučký",
		"Template": "{{Account}}",
	}
	tests := []struct {
		format, want string
	}{
		{"{{Account}} logged on to {{Host}}", "alice logged on to ws1.contoso.com"},
		{"no placeholders", "no placeholders"},
		{"{{Count}} files, ratio {{Ratio}}, flag {{Flag}}", "12 files, ratio 0.5, flag true"},
		{"at {{When}} for {{Took}}", "at 2024-03-01T08:30:00Z for 00:01:30"},
		{"{{Bag}} {{List}}", `{"a":1} ["x","y"]`},
		{"[{{Nothing}}][{{Empty}}]", "[][]"},
		{"{{Missing}} stays", "{{Missing}} stays"},
		{"{{ Account }} trimmed", "alice trimmed"},
		{"{{Unicode}}", "žluťoučký"},
		{"{{Template}} is not expanded twice", "{{Account}} is not expanded twice"},
		{"{Account} {{Account} {{{Account}}}", "{Account} {{Account} {alice}"},
		{"{{}}", "{{}}"},
		{"}}{{Account}}{{", "}}alice{{"},
	}
	for _, tt := range tests {
		if got := RenderFormat(tt.format, row); got != tt.want {
			t.Errorf("RenderFormat(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		format string
		want   []string
	}{
		{"", nil},
		{"{{A}} and {{B}} and {{A}}", []string{"A", "B", "A"}},
		{"{{ A }}", []string{"A"}},
		{"{{A{{B}}", []string{"B"}},
		{"{{A}", nil},
	}
	for _, tt := range tests {
		if got := Placeholders(tt.format); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}
