package transform

// Stable diagnostic codes for what transformations refuse (KQL3xxx, after
// the parser's KQL1xxx and the binder's KQL2xxx). Each comment gives a
// minimal transformation that triggers it. Tests assert codes, not
// messages; retired codes are not reused.
const (
	// CodeOperator: a tabular operator other than where, extend, project,
	// project-away, project-rename and parse, `source | summarize count()`.
	CodeOperator = "KQL3001"
	// CodeSource: a data source other than source, print and datatable,
	// `union source, source`.
	CodeSource = "KQL3002"
	// CodeStatement: a statement other than let and the query,
	// `set notruncation; source`.
	CodeStatement = "KQL3003"
	// CodeFunction: a function that reads more than the current record
	// (aggregations, window functions, toscalar, materialize, table),
	// `source | extend n = row_number()`.
	CodeFunction = "KQL3004"
	// CodeSubquery: a tabular expression inside a scalar one,
	// `source | where a in (source | project a)`.
	CodeSubquery = "KQL3005"
	// CodeParseColumns: a parse operator extracting more than 10 columns,
	// `source | parse s with a " " b " " … " " k`.
	CodeParseColumns = "KQL3006"
	// CodeTabularParameter: a user-defined function with a tabular
	// parameter, `let f = (T:(*)) { T }; f(source)`.
	CodeTabularParameter = "KQL3007"
)
