package rules

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/goshawk-sec/goshawk/analytics"
	"github.com/goshawk-sec/goshawk/hunting"
)

// File is a rule file to import: Sentinel YAML, or ARM JSON (an export or
// a template).
type File struct {
	Name    string `json:"name"`
	Content []byte `json:"content"`
}

// Importer stores what the files define: rules into the store, hunting
// queries (YAML without trigger fields) into the saved hunting queries.
type Importer struct {
	Store   *Store
	Hunting *hunting.Store
	// Checker returns the importer that checks queries against the
	// workspace's current catalogue (custom tables included).
	Checker func() *analytics.Importer
}

// Import imports every definition of the files and returns one result per
// definition (or per file that cannot be read at all), in the order of
// the files: imported, or the exact field refused and why.
func (im *Importer) Import(ctx context.Context, files []File, by string) []analytics.Result {
	var out []analytics.Result
	for _, f := range files {
		for _, r := range im.parse(f) {
			if r.OK && r.Definition != nil {
				if err := im.save(ctx, *r.Definition, f.Name, by); err != nil {
					r.OK, r.Error, r.Err = false, err.Error(), err
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func (im *Importer) parse(f File) []analytics.Result {
	check := im.Checker()
	trimmed := bytes.TrimSpace(f.Content)
	if strings.EqualFold(filepath.Ext(f.Name), ".json") || bytes.HasPrefix(trimmed, []byte("{")) {
		defs, err := check.ParseARM(f.Content)
		if err != nil {
			return []analytics.Result{{File: f.Name, Error: err.Error(), Err: err}}
		}
		var out []analytics.Result
		for i := range defs {
			out = append(out, analytics.Result{File: f.Name, OK: true, Kind: defs[i].Kind, ID: defs[i].ID, Definition: &defs[i]})
		}
		return out
	}
	d, err := check.ParseYAML(f.Name, f.Content)
	if err != nil {
		msg := err.Error()
		if strings.HasPrefix(msg, f.Name+": ") {
			msg = strings.TrimPrefix(msg, f.Name+": ")
		}
		return []analytics.Result{{File: f.Name, Kind: d.Kind, ID: d.ID, Error: msg, Err: err}}
	}
	return []analytics.Result{{File: f.Name, OK: true, Kind: d.Kind, ID: d.ID, Definition: &d}}
}

func (im *Importer) save(ctx context.Context, d analytics.Definition, file, by string) error {
	if d.Kind == analytics.Hunting {
		q := hunting.Query{ID: d.ID, Name: d.Name, Description: d.Description, Query: d.Query,
			Tactics: d.Tactics, Techniques: d.Techniques, Source: "import", By: by}
		if q.ID == "" {
			q.ID = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		_, err := im.Hunting.Put(ctx, q)
		return err
	}
	if _, err := im.Store.Put(ctx, d, by); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
