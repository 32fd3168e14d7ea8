package analytics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ParseYAML imports one definition in Sentinel's YAML format (as in the
// Azure/Azure-Sentinel repository) and checks it against the built-in
// catalogue; see Importer.ParseYAML.
func ParseYAML(name string, data []byte) (Definition, error) {
	return (&Importer{}).ParseYAML(name, data)
}

// ParseARM imports the analytics rules of an ARM template or REST export,
// checking them against the built-in catalogue; see Importer.ParseARM.
func ParseARM(data []byte) ([]Definition, error) {
	return (&Importer{}).ParseARM(data)
}

// ImportPaths imports files and folders with the built-in catalogue; see
// Importer.ImportPaths.
func ImportPaths(paths []string) []Result {
	return (&Importer{}).ImportPaths(paths)
}

// ParseYAML imports one definition in Sentinel's YAML format. name (a
// file name, or empty) only labels the error. A file with a kind, or with
// queryFrequency, queryPeriod, triggerOperator or triggerThreshold, is a
// rule; one with none of them is a hunting query.
//
// Every field is matched (ignoring case) against Sentinel's schema; a
// field Goshawk does not know or support is refused, never dropped, except
// the DescriptiveFields, which are kept in Metadata. The definition is then
// validated and its query checked (see Check). On failure the error is an
// *Error naming each field at fault with its line; the Definition returned
// with it holds what could be read (its ID and Kind, for reporting) and is
// not fit for use.
func (im *Importer) ParseYAML(name string, data []byte) (Definition, error) {
	d, dc := decodeYAML(data)
	if d == nil {
		return Definition{}, &Error{File: name, Fields: dc.p.errs}
	}
	dc.validate(d, func(p string) string { return p })
	if !dc.failed["query"] && !dc.failed["kind"] {
		im.checkQuery(d, &dc.p, dc.locate)
	}
	if len(dc.p.errs) > 0 {
		return *d, &Error{File: name, Fields: sortedByLine(dc.p.errs)}
	}
	return *d, nil
}

// sortedByLine orders errors by their line in the file, keeping the order
// of those on the same line; errors without a line go last.
func sortedByLine(es FieldErrors) FieldErrors {
	sort.SliceStable(es, func(i, j int) bool {
		li, lj := es[i].Line, es[j].Line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0
		}
		return li < lj
	})
	return es
}

// Result is the outcome of importing one definition from a file, in the
// shape the CLI prints as one JSON line:
//
//	{"file":"rules/x.yaml","ok":false,"kind":"Scheduled","id":"…","error":"queryPeriod: 30d is longer than 14 days (Sentinel's maximum)"}
type Result struct {
	File string `json:"file"`
	OK   bool   `json:"ok"`
	// Kind and ID are given whenever they could be read, even on failure.
	Kind  Kind   `json:"kind,omitempty"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error,omitempty"`
	// Definition is the imported definition when OK.
	Definition *Definition `json:"-"`
	// Err is the error behind Error: an *Error with every field at
	// fault, or the error reading the file.
	Err error `json:"-"`
}

// ImportPaths imports every definition in paths. A folder is walked
// recursively for .yaml, .yml and .json files, in lexical order; a file
// named directly is read whatever its extension. YAML files hold one
// definition each (Sentinel's format); JSON files are ARM templates or
// REST exports and give one Result per rule. A file that cannot be read
// or parsed at all gives one failed Result.
func (im *Importer) ImportPaths(paths []string) []Result {
	var out []Result
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			out = append(out, Result{File: p, Error: err.Error(), Err: err})
			continue
		}
		if !info.IsDir() {
			out = append(out, im.importFile(p)...)
			continue
		}
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				out = append(out, Result{File: path, Error: err.Error(), Err: err})
				return nil
			}
			if e.IsDir() {
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				out = append(out, im.importFile(path)...)
			}
			return nil
		})
		if err != nil {
			out = append(out, Result{File: p, Error: err.Error(), Err: err})
		}
	}
	return out
}

func (im *Importer) importFile(path string) []Result {
	data, err := readFile(path)
	if err != nil {
		return []Result{{File: path, Error: err.Error(), Err: err}}
	}
	if isJSON(path, data) {
		rules, err := im.parseARM(data)
		if err != nil {
			return []Result{{File: path, Error: err.Error(), Err: err}}
		}
		out := make([]Result, len(rules))
		for i, r := range rules {
			out[i] = result(path, r.def, r.err)
		}
		return out
	}
	d, err := im.ParseYAML("", data)
	return []Result{result(path, &d, err)}
}

func result(path string, d *Definition, err error) Result {
	r := Result{File: path, OK: err == nil, Err: err}
	if d != nil {
		r.Kind, r.ID = kindOf(d), d.ID
	}
	if err != nil {
		r.Error = err.Error()
	} else {
		r.Definition = d
	}
	return r
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, maxFileSize)
	}
	return data, nil
}

// isJSON tells ARM JSON from YAML: by extension, else by a leading brace
// or bracket.
func isJSON(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return true
	case ".yaml", ".yml":
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// errorFields returns the field errors in err, if it holds any.
func errorFields(err error) FieldErrors {
	var fes FieldErrors
	if errors.As(err, &fes) {
		return fes
	}
	return nil
}
