package syntax

// Stable diagnostic codes. Each comment gives a minimal query that
// triggers the code. Tests assert codes, never messages, so a code keeps its
// meaning for good; retired codes are not reused.
//
// KQL1xxx are reported by the lexer and parser (this package). KQL2xxx
// belong to the binder (kql/semantic); they go below this block, leaving
// the KQL1xxx range to the parser.
const (
	// CodeUnexpectedToken: a token that cannot continue the query here,
	// `T | where x == )`.
	CodeUnexpectedToken = "KQL1001"
	// CodeUnterminatedString: a string literal without its closing quote,
	// `print "abc`.
	CodeUnterminatedString = "KQL1002"
	// CodeBadNumber: a malformed numeric literal, `print 1.5x`.
	CodeBadNumber = "KQL1003"
	// CodeUnknownOperator: a name after `|` that is no tabular operator,
	// `T | frobnicate`.
	CodeUnknownOperator = "KQL1004"
	// CodeBadLiteral: a typed literal whose body is not a value of its
	// type, `print datetime(2020-13-45)`.
	CodeBadLiteral = "KQL1005"
	// CodeExpected: a required element is missing, `T | summarize count() by`.
	CodeExpected = "KQL1006"
	// CodeIllegalCharacter: a character that is not part of KQL, `print 1 # 2`.
	CodeIllegalCharacter = "KQL1007"
	// CodeBadEscape: an escape sequence Kusto does not define, `print "a\d"`.
	CodeBadEscape = "KQL1008"
	// CodeTooDeep: nesting beyond the parser's limit, `print ((((…1…))))`
	// with more than 400 levels.
	CodeTooDeep = "KQL1009"
	// CodeInternal: a parser bug, reported instead of crashing.
	CodeInternal = "KQL1999"
)
