package semantic

// Stable diagnostic codes of the binder (KQL2xxx). Each comment gives a
// minimal query that triggers it. Tests assert codes, not messages.
const (
	// CodeUnknownName: `print x` — "Failed to resolve scalar expression named 'x'".
	CodeUnknownName = "KQL2001"
	// CodeUnknownTable: `NoSuchTable | take 1`.
	CodeUnknownTable = "KQL2002"
	// CodeUnknownFunction: `print nosuchfn(1)`.
	CodeUnknownFunction = "KQL2003"
	// CodeArgCount: `print strlen()`.
	CodeArgCount = "KQL2004"
	// CodeTypeMismatch: `print 1 + "a"`.
	CodeTypeMismatch = "KQL2005"
	// CodeNotTabular: `let x = 1; x | take 1`.
	CodeNotTabular = "KQL2006"
	// CodeNotScalar: `print T` where T is a table.
	CodeNotScalar = "KQL2007"
	// CodeAggregateContext: `print count()` — aggregate outside summarize.
	CodeAggregateContext = "KQL2008"
	// CodeUnsupported: a valid construct Goshawk does not execute yet,
	// e.g. `T | evaluate sql_request(…)`.
	CodeUnsupported = "KQL2009"
	// CodeBadArgument: `T | take "x"` — an argument of the wrong kind.
	CodeBadArgument = "KQL2010"
	// CodeDuplicateColumn: `print a=1, a=2`.
	CodeDuplicateColumn = "KQL2011"
	// CodeExternalData: `externaldata(x:string)["https://…"]` when external
	// data is not allowed by configuration.
	CodeExternalData = "KQL2012" // reserved: externaldata is now refused by the backend at execution
	// CodeInternal: a binder bug, reported instead of crashing.
	CodeInternal = "KQL2999"
)
