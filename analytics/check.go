package analytics

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/goshawk-sec/goshawk/kql"
	"github.com/goshawk-sec/goshawk/kql/types"
	"github.com/goshawk-sec/goshawk/schema"
)

// Importer reads definitions and checks their queries against a table
// catalogue. The zero value checks against the built-in catalogue
// (schema.Default()) with default KQL options.
type Importer struct {
	// Catalog resolves table names; nil means SchemaCatalog(schema.Default()).
	// A workspace with custom tables passes its own catalogue.
	Catalog kql.Catalog
	// Options are passed to kql.Check. Binding accepts externaldata
	// whatever AllowExternalData says; the query engine refuses it at run
	// time unless its own configuration allows it.
	Options kql.Options
}

func (im *Importer) catalog() kql.Catalog {
	if im == nil || im.Catalog == nil {
		return defaultCatalog
	}
	return im.Catalog
}

func (im *Importer) options() kql.Options {
	if im == nil {
		return kql.Options{}
	}
	return im.Options
}

var defaultCatalog = SchemaCatalog(schema.Default())

// Error is a definition that could not be imported: every problem found,
// field by field.
type Error struct {
	// File is the name given to ParseYAML, or empty.
	File   string
	Fields FieldErrors
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Fields.Error()
	}
	return e.File + ": " + e.Fields.Error()
}

func (e *Error) Unwrap() error { return e.Fields }

// Check validates d (see Definition.Validate) and, for kinds with a query,
// parses and binds the query against the catalogue and checks that every
// column the definition names (entity mappings, custom details, alert
// details override) is a column of the query's result. Query errors are
// reported on the field query as "line:col: CODE: message", the position
// being within the query text.
func (im *Importer) Check(d *Definition) error {
	var p problems
	validate(d, &p)
	queryBad := false
	for _, e := range p.errs {
		queryBad = queryBad || e.Path == "query" || e.Path == "kind"
	}
	if !queryBad {
		im.checkQuery(d, &p, nil)
	}
	if len(p.errs) == 0 {
		return nil
	}
	return &Error{Fields: p.errs}
}

// checkQuery adds the query's problems to p; pos, when set, gives the
// query field's place in the source.
func (im *Importer) checkQuery(d *Definition, p *problems, locate func(*FieldError)) {
	if !d.Kind.HasQuery() || strings.TrimSpace(d.Query) == "" {
		return
	}
	start := len(p.errs)
	defer func() {
		if locate != nil {
			for _, e := range p.errs[start:] {
				locate(e)
			}
		}
	}()
	cols, err := bindQuery(d.Query, im.catalog(), im.options())
	if err != nil {
		p.errs = append(p.errs, &FieldError{Path: "query", Message: err.Error(), Err: err})
		return
	}
	out := map[string]bool{}
	var names []string
	for _, c := range cols {
		out[c.Name] = true
		names = append(names, c.Name)
	}
	// A schema read from data (bag_unpack, pivot) is not known without
	// the data; its columns cannot be checked here.
	open := openSchemaRE.MatchString(d.Query)
	need := func(field, col string) {
		if col == "" || out[col] || open || !columnRE.MatchString(col) {
			return // Validate reports names that cannot be columns
		}
		msg := fmt.Sprintf("column %q is not in the query's results", col)
		if s := suggestColumn(col, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.add(field, 0, 0, "%s", msg)
	}
	for i, m := range d.EntityMappings {
		for j, fm := range m.FieldMappings {
			need(fmt.Sprintf("entityMappings[%d].fieldMappings[%d].columnName", i, j), fm.ColumnName)
		}
	}
	for _, c := range d.CustomDetails {
		need("customDetails."+c.Key, c.Column)
	}
	if o := d.AlertDetailsOverride; o != nil {
		for _, ph := range Placeholders(o.DisplayNameFormat) {
			need("alertDetailsOverride.alertDisplayNameFormat", ph)
		}
		for _, ph := range Placeholders(o.DescriptionFormat) {
			need("alertDetailsOverride.alertDescriptionFormat", ph)
		}
		need("alertDetailsOverride.alertSeverityColumnName", o.SeverityColumn)
		need("alertDetailsOverride.alertTacticsColumnName", o.TacticsColumn)
		for i, dp := range o.DynamicProperties {
			need(fmt.Sprintf("alertDetailsOverride.alertDynamicProperties[%d].value", i), dp.Column)
		}
	}
}

var openSchemaRE = regexp.MustCompile(`\b(bag_unpack|pivot)\s*\(`)

// bindQuery returns the result columns of text, converting a panic in the
// KQL front end into an error that says it is a bug.
func bindQuery(text string, cat kql.Catalog, opts kql.Options) (cols []types.Column, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in the KQL checker (a Goshawk bug): %v", r)
		}
	}()
	q, err := kql.Check(text, cat, opts)
	if err != nil {
		return nil, err
	}
	return q.Root.Schema(), nil
}

// QueryColumns parses and binds a query and returns its result columns,
// for callers (the scheduler) that map result rows to entities.
func (im *Importer) QueryColumns(query string) ([]types.Column, error) {
	return bindQuery(query, im.catalog(), im.options())
}

// suggestColumn finds a column name close to col: the same ignoring case,
// or a couple of edits away.
func suggestColumn(col string, names []string) string {
	for _, n := range names {
		if strings.EqualFold(n, col) {
			return n
		}
	}
	return suggest(col, names)
}

// SchemaCatalog adapts a table catalogue to the KQL binder
// (schema.KQLCatalog), as the query engine binds.
func SchemaCatalog(c *schema.Catalogue) kql.Catalog { return schema.KQLCatalog{C: c} }
