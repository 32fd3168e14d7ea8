package schema

import "github.com/goshawk-sec/goshawk/kql/types"

// KQLCatalog adapts a catalogue to the KQL binder (kql.Catalog and its
// optional interfaces): tables show their visible columns, hidden ones
// (_ItemId, _TimeReceived, …) can be named, and stored names that differ
// from the KQL ones are given to the SQL generator.
type KQLCatalog struct{ C *Catalogue }

// Table returns the queryable columns of a table.
func (c KQLCatalog) Table(name string) ([]types.Column, bool) {
	t, ok := c.C.Table(name)
	if !ok {
		return nil, false
	}
	return t.Visible(), true
}

// HiddenColumns returns a table's hidden columns (_ItemId,
// _TimeReceived, …), which queries may name.
func (c KQLCatalog) HiddenColumns(table string) []types.Column {
	t, ok := c.C.Table(table)
	if !ok {
		return nil
	}
	var out []types.Column
	for _, col := range t.Columns {
		if col.Hidden {
			out = append(out, types.Column{Name: col.Name, Type: col.Type})
		}
	}
	return out
}

// StorageNames maps the KQL names of a table's columns to their stored
// names where they differ.
func (c KQLCatalog) StorageNames(table string) map[string]string {
	t, ok := c.C.Table(table)
	if !ok {
		return nil
	}
	var m map[string]string
	for _, col := range t.Columns {
		if col.Storage != "" && col.Storage != col.Name {
			if m == nil {
				m = map[string]string{}
			}
			m[col.Name] = col.Storage
		}
	}
	return m
}

// TableNames lists every table.
func (c KQLCatalog) TableNames() []string {
	var out []string
	for _, t := range c.C.Tables() {
		out = append(out, t.Name)
	}
	return out
}
